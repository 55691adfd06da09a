"""The admin page "Nhiệm vụ của đơn vị đã giải thể chờ phân lại" (``admin:tasks_assignment_reassign``).

A province administrator (or the superuser) sees the open assignments of the agencies that ended in their
province and the provinces merged into it, chooses a successor per row or per ended agency, and moves them in one
transaction (``tasks.reassign.apply_moves``). Rows the rule decides are shown with the successor they will go to
and moved by "Áp dụng quy tắc". Any refused row (not a successor, stale, already held) refuses the whole batch.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from agencies.admin_scope import label_of
from tasks import reassign

MAX_ID = 2**31 - 1


def _int(value) -> int | None:
    """A positive database id from a parameter, or None (``"²".isdigit()`` is true, ``int("²")`` fails)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def _posted_moves(post) -> list[reassign.Move]:
    """The rows the person moves: each shown row with a choice of its own, or its agency's "all" choice."""
    moves = []
    for item in post.getlist("shown"):
        parts = [_int(part) for part in item.split(":")]
        if len(parts) != 3 or None in parts:
            raise Http404
        pk, version, agency_id = parts
        chosen = post.get(f"to_{pk}") or post.get(f"all_{agency_id}")
        if chosen:
            target = _int(chosen)
            moves.append(reassign.Move(pk, version, target if target is not None else 0))
    return moves


def _options(choices, selected) -> list[dict]:
    return [{"pk": agency.pk, "label": label_of(agency), "selected": str(agency.pk) == selected} for agency in choices]


def _groups_for_page(groups, post) -> list[dict]:
    """Everything the template shows, computed here: each ended agency with its "all" choice and its rows."""
    shown = []
    for group in groups:
        all_selected = post.get(f"all_{group.agency.pk}", "")
        rows = []
        for row in group.rows:
            rows.append(
                {
                    "row": row,
                    "key": f"{row.assignment.pk}:{row.assignment.version}:{group.agency.pk}",
                    "options": _options(group.choices, post.get(f"to_{row.assignment.pk}", "")),
                    "decided": label_of(row.decided) if row.decided else "",
                }
            )
        shown.append(
            {
                "agency": group.agency,
                "ended": group.agency.valid_to,
                "options": _options(group.choices, all_selected),
                "rows": rows,
                "decided_count": sum(1 for r in group.rows if r.decided),
            }
        )
    return shown


def reassign_view(model_admin, request):
    """GET: the list; POST: move the chosen rows (or apply the rule), then back to the list."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    agency_id = None
    if request.GET.get("agency"):
        agency_id = _int(request.GET["agency"])
        if agency_id is None or not reassign.ended_agencies(request.user).filter(pk=agency_id).exists():
            raise Http404
    errors: list[str] = []
    if request.method == "POST":
        if request.POST.get("action") == "rule":  # recomputed now, on the rows as they are (versions just read)
            moves = reassign.rule_moves(reassign.pending(reassign.open_assignments(request.user, agency_id)))
        else:
            moves = _posted_moves(request.POST)
        if not moves:
            errors = [_("Chưa chọn phân công nào để chuyển.")]
        else:
            try:
                moved = reassign.apply_moves(request.user, moves)
            except LookupError:
                raise Http404 from None
            except reassign.MoveRefused as refused:
                errors = refused.errors
            else:
                for row in moved:
                    messages.success(
                        request,
                        _("Đã chuyển %(row)s sang %(successor)s.")
                        % {"row": row.label, "successor": label_of(row.assignment.agency)},
                    )
                return HttpResponseRedirect(request.get_full_path())
    return _render(model_admin, request, agency_id, errors)


def _render(model_admin, request, agency_id, errors):
    groups = reassign.pending(reassign.open_assignments(request.user, agency_id))
    # One ended agency: all its rows, decided or not (a person may overrule the rule); else only what needs a person.
    shown = reassign.undecided(groups) if agency_id is None else reassign.cut(groups)
    total = sum(len(g.rows) for g in groups)
    waiting = sum(1 for g in groups for row in g.rows if row.decided is None)
    post = request.POST if request.method == "POST" else {}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Nhiệm vụ của đơn vị đã giải thể chờ phân lại"),
        "groups": _groups_for_page(shown, post),
        "by_rule": [
            {"agency": label_of(agency), "successor": label_of(successor), "count": count}
            for agency, successor, count in reassign.by_rule(groups)
        ],
        "total": total,
        "waiting": waiting,
        "shown_count": sum(len(g.rows) for g in shown),
        "shown_at_most": reassign.SHOWN_AT_MOST,
        "errors": errors,
        "one_agency": agency_id is not None,
    }
    return TemplateResponse(request, "admin/tasks/assignment/reassign.html", context, status=400 if errors else 200)
