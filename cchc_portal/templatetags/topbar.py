"""The top bar's links, drawn in Python (base.html draws them on every page): ``{% main_menu %}`` (the menu's
entries), ``{% work_queue_links %}`` (the user's work queues with their counts), ``{% top_bar_url name %}`` and
``{% current_page name %}`` (`` aria-current="page"`` when the entry is the current page).

The markup is the one base.html had; every text is escaped. The current entry is the context's ``menu_here`` (a
page may say it, as the 409 page does; otherwise ``cchc_portal.menu.current_entry`` works it out).
"""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from cchc_portal.menu import MENU, top_bar_url

register = template.Library()

CURRENT = mark_safe(' aria-current="page"')  # noqa: S308 - a constant


def _here(context) -> str:
    here = context.get("menu_here", "")
    return here() if callable(here) else here


@register.simple_tag(takes_context=True)
def main_menu(context) -> str:
    here = _here(context)
    links = ((top_bar_url(name), label) for name, label in MENU)
    return format_html_join(
        "\n        ", '<a href="{}"{}>{}</a>', ((url, CURRENT if url == here else "", label) for url, label in links)
    )


@register.simple_tag(takes_context=True)
def work_queue_links(context) -> str:
    queues = context.get("work_queues", [])
    queues = queues() if callable(queues) else queues
    if not queues:
        return ""
    here = _here(context)
    return format_html_join(
        "",
        '<a href="{}" class="queue" data-testid="queue-{}"{}>{} <span class="count-pill">({})</span></a>',
        (
            (queue.url, queue.name, CURRENT if queue.url == here else "", queue.label, localize(queue.count))
            for queue in queues
        ),
    )


@register.simple_tag(name="top_bar_url")
def top_bar_url_tag(name: str) -> str:
    return top_bar_url(name)


@register.simple_tag(takes_context=True)
def current_page(context, name: str) -> str:
    return CURRENT if top_bar_url(name) == _here(context) else ""
