"""Agencies, the groups documents name collectively, the aliases that match names as written, and users."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.names import name_key
from core.text import fold


class ProvinceNotFound(LookupError):
    """An unknown province code; the message names the closest codes."""


class ProvinceQuerySet(models.QuerySet):
    def local(self) -> ProvinceQuerySet:
        """Provinces and centrally-run cities, without the central level."""
        return self.filter(is_central=False)

    def current(self, day: datetime.date | None = None) -> ProvinceQuerySet:
        """The local units valid on ``day`` (today by default): the 34 since 1 July 2025."""
        day = day or timezone.localdate()
        return (
            self.local()
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )

    def lookup(self, text: str) -> Province:
        """Return the province a user named by its code ("dak-lak") or official number ("66", "066").

        Raise ProvinceNotFound with a Vietnamese message naming the closest codes otherwise (two queries).
        """
        import difflib

        from django.utils.text import slugify

        text = (text or "").strip()
        query = Q(code=text)
        if text.isascii() and text.isdigit():
            query |= Q(number=int(text))
        found = self.filter(query).first()
        if found is not None:
            return found
        codes = list(self.local().order_by("code").values_list("code", flat=True))
        wanted = slugify(fold(text)) or text
        close = difflib.get_close_matches(wanted, codes, n=3, cutoff=0.7)
        close += [c for c in codes if wanted and wanted in c and c not in close][: 3 - len(close)]
        if close:
            message = _("Không có tỉnh '%(text)s'; có phải: %(codes)s?") % {"text": text, "codes": ", ".join(close)}
        else:
            message = _(
                "Không có tỉnh '%(text)s'. Xem danh sách mã tỉnh bằng lệnh: python manage.py load_directory --list"
            ) % {"text": text}
        raise ProvinceNotFound(str(message))


class Province(models.Model):
    """A province; since 1 July 2025 many were merged, so each has a validity and a successor.

    ``code`` is the readable address used everywhere (``dak-lak``, ``ha-noi``); ``number`` the official code of the
    statistics office (66 for Đắk Lắk), kept for the 34 current units only (the old numbers were reused).
    One row, ``trung-uong``, holds the central level (ministries…), whose names resolve from every province.
    """

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    number = models.PositiveSmallIntegerField(_("mã số thống kê"), null=True, blank=True)
    name = models.CharField(_("tên"), max_length=100)
    is_central = models.BooleanField(_("cấp Trung ương"), default=False)
    directory_keys = models.JSONField(
        _("đơn vị chuẩn đã nạp"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Các đơn vị của danh mục chuẩn đã được tạo cho tỉnh; đơn vị đã xóa sẽ không được tạo lại."),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="predecessors", verbose_name=_("tỉnh kế thừa")
    )

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("tỉnh")
        verbose_name_plural = _("tỉnh")
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=Q(number__isnull=False), name="province_unique_number")
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", _("UBND tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    BOARD = "board", _("Ban quản lý")
    CENTRAL = "central", _("Cơ quan Trung ương đóng trên địa bàn")
    MINISTRY = "ministry", _("Bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ")
    DISTRICT_COMMITTEE = "district_committee", _("UBND cấp huyện")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND cấp xã")
    PUBLIC_UNIT = "public_unit", _("Đơn vị sự nghiệp")
    MEDIA = "media", _("Báo, đài")
    OTHER = "other", _("Khác")


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class AgencyQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date) -> AgencyQuerySet:
        """Agencies that exist on ``day`` (one indexed range test)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def for_user(self, user) -> AgencyQuerySet:
        """Agencies of the user's province; superusers see every province."""
        if user.is_superuser:
            return self
        if not user.is_authenticated or user.province_id is None:
            return self.none()
        return self.filter(province_id=user.province_id)

    def search(self, text: str) -> AgencyQuerySet:
        """Accent-insensitive search on the folded column ("so noi vu" finds "Sở Nội vụ")."""
        return self.filter(search_text__contains=fold(text)) if text.strip() else self


class Agency(models.Model):
    """A public body that can lead or cooperate on tasks: a department, a People's Committee, a board…"""

    province = models.ForeignKey(Province, models.PROTECT, related_name="agencies", verbose_name=_("tỉnh"))
    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    kind = models.CharField(_("loại"), max_length=24, choices=AgencyKind, default=AgencyKind.DEPARTMENT)
    level = models.CharField(_("cấp"), max_length=12, choices=AgencyLevel, default=AgencyLevel.PROVINCE)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("cơ quan cấp trên")
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("cơ quan kế thừa"),
        help_text=_("Cơ quan tiếp nhận nhiệm vụ khi cơ quan này hợp nhất hoặc giải thể."),
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    directory_key = models.CharField(
        _("mã trong danh mục"),
        max_length=80,
        blank=True,
        default="",
        editable=False,
        help_text=_("Khóa của đơn vị trong danh mục chuẩn (agencies/data); đổi tên không làm mất liên kết."),
    )
    search_text = models.TextField(editable=False, default="")

    objects = AgencyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["province__name", "level", "name"]
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        permissions = [("import_agency", _("Nhập bảng cơ quan")), ("export_agency", _("Xuất bảng cơ quan"))]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="agency_unique_name_per_province"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            ),
            models.UniqueConstraint(
                fields=["directory_key"], condition=~Q(directory_key=""), name="agency_unique_directory_key"
            ),
        ]
        indexes = [models.Index(fields=["province", "kind"], name="agency_province_kind")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.folded(self.name, self.short_name)
        super().save(*args, **kwargs)

    @staticmethod
    def folded(name: str, short_name: str = "") -> str:
        """The search column of an agency (bulk paths fill it without save())."""
        return fold(" ".join(filter(None, [name, short_name])))

    def is_dissolved_on(self, day: datetime.date | None = None) -> bool:
        """The agency ended before ``day`` (today by default): its accounts may no longer act."""
        return self.valid_to is not None and self.valid_to < (day or timezone.localdate())

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def current(self, day: datetime.date | None = None) -> Agency:
        """Follow the successor chain to the agency that holds this one's duties on ``day``."""
        day = day or timezone.localdate()
        agency, seen = self, {self.pk}
        while not agency.is_valid_on(day) and agency.successor_id and agency.successor_id not in seen:
            seen.add(agency.successor_id)
            agency = agency.successor
        return agency

    def lineage_ids(self) -> set[int]:
        """Return this agency and every predecessor merged into it (its tasks are ours); one query per generation."""
        ids, frontier = {self.pk}, {self.pk}
        while frontier:
            frontier = set(Agency.objects.filter(successor_id__in=frontier).values_list("pk", flat=True)) - ids
            ids |= frontier
        return ids


class Succession(models.Model):
    """One successor of an agency that was merged, split or dissolved, and which duties it took over.

    When duties were split ("Sở Lao động - Thương binh và Xã hội": most to Sở Nội vụ, vocational training to Sở
    Giáo dục và Đào tạo), each part is a row; ``duties`` lists the words of a task that send it to this part, and
    the row marked ``is_main`` takes what no words decide (``Agency.successor`` points to it). A task matching
    the words of several parts, or of none when no part is main, is left for a person to decide.
    """

    predecessor = models.ForeignKey(Agency, models.CASCADE, related_name="successions", verbose_name=_("cơ quan trước"))
    successor = models.ForeignKey(Agency, models.PROTECT, related_name="taken_over", verbose_name=_("cơ quan kế thừa"))
    on = models.DateField(_("từ ngày"), null=True, blank=True)
    is_main = models.BooleanField(_("kế thừa chính"), default=False)
    duties = models.TextField(
        _("nhiệm vụ tiếp nhận"),
        blank=True,
        help_text=_("Các từ khóa, cách nhau bởi dấu phẩy (ví dụ: giáo dục nghề nghiệp, dạy nghề)."),
    )

    class Meta:
        ordering = ["predecessor__name", "-is_main", "successor__name"]
        verbose_name = _("kế thừa")
        verbose_name_plural = _("kế thừa")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def duty_words(self) -> list[str]:
        return [fold(word) for word in self.duties.split(",") if word.strip()]


def choose_successor(successions: list[Succession], text: str) -> Agency | None:
    """Pick the successor that takes over a task described by ``text``; None means a person must decide.

    One successor: it. Several: the only one whose duty words occur in the task; failing that, the main one,
    unless the words point to two or more parts at once.
    """
    if not successions:
        return None
    if len(successions) == 1:
        return successions[0].successor
    folded = f" {fold(text)} "
    hits = [s for s in successions if any(f" {word} " in folded for word in s.duty_words())]
    if len(hits) == 1:
        return hits[0].successor
    if hits:
        return None
    main = [s for s in successions if s.is_main]
    return main[0].successor if len(main) == 1 else None


class GroupKind(models.TextChoices):
    DEPARTMENTS = "departments", _("Các sở, ban, ngành")
    DISTRICT_COMMITTEES = "district_committees", _("UBND cấp huyện")
    COMMUNE_COMMITTEES = "commune_committees", _("UBND cấp xã")
    CENTRAL_AGENCIES = "central_agencies", _("Cơ quan Trung ương trên địa bàn")
    RELATED = "related", _("Các cơ quan, đơn vị liên quan")
    INSPECTED = "inspected", _("Đơn vị được kiểm tra")
    LOCALITIES = "localities", _("Địa phương")
    ALL = "all", _("Các cơ quan, đơn vị, địa phương")
    MINISTRIES = "ministries", _("Các bộ, ngành Trung ương")
    NATIONAL = "national", _("Các bộ, ngành, địa phương")
    CUSTOM = "custom", _("Nhóm khác")


class AgencyGroup(models.Model):
    """A collective a document names ("Các sở, ban, ngành"), made of real member agencies."""

    province = models.ForeignKey(Province, models.PROTECT, related_name="groups", verbose_name=_("tỉnh"))
    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=24, choices=GroupKind, default=GroupKind.CUSTOM)
    members = models.ManyToManyField(Agency, related_name="groups", blank=True, verbose_name=_("thành viên"))
    search_text = models.TextField(editable=False, default="")

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["province__name", "name"]
        verbose_name = _("nhóm cơ quan")
        verbose_name_plural = _("nhóm cơ quan")
        constraints = [models.UniqueConstraint(fields=["province", "name"], name="group_unique_name_per_province")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(self.name)
        super().save(*args, **kwargs)


class Alias(models.Model):
    """A way documents write an agency or a group ("VP UBND tỉnh"), matched by its folded key."""

    province = models.ForeignKey(Province, models.PROTECT, related_name="aliases", verbose_name=_("tỉnh"))
    text = models.CharField(_("cách viết"), max_length=255)
    key = models.CharField(max_length=255, editable=False)
    agency = models.ForeignKey(
        Agency, models.CASCADE, null=True, blank=True, related_name="aliases", verbose_name=_("cơ quan")
    )
    group = models.ForeignKey(
        AgencyGroup, models.CASCADE, null=True, blank=True, related_name="aliases", verbose_name=_("nhóm")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        ordering = ["province__name", "text"]
        verbose_name = _("tên gọi khác")
        verbose_name_plural = _("tên gọi khác")
        constraints = [
            models.UniqueConstraint(fields=["province", "key"], name="alias_unique_key_per_province"),
            models.CheckConstraint(
                condition=Q(agency__isnull=False, group__isnull=True) | Q(agency__isnull=True, group__isnull=False),
                name="alias_names_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs) -> None:
        self.key = name_key(self.text)
        super().save(*args, **kwargs)

    @property
    def target(self) -> Agency | AgencyGroup:
        return self.agency or self.group


class Role(models.TextChoices):
    STAFF = "staff", _("Cán bộ đầu mối của cơ quan")
    LEADER = "leader", _("Lãnh đạo cơ quan")
    REVIEWER = "reviewer", _("Cán bộ theo dõi (Sở Nội vụ, Văn phòng UBND tỉnh)")
    ADMIN = "admin", _("Quản trị")


class PortalUserManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().select_related("agency")


class User(AbstractUser):
    """A person who uses the portal: belongs to one agency and has one role."""

    agency = models.ForeignKey(
        Agency, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("cơ quan")
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role, default=Role.STAFF)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)

    objects = PortalUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        permissions = [("import_user", _("Nhập bảng người dùng")), ("export_user", _("Xuất bảng người dùng"))]
        constraints = [
            models.CheckConstraint(condition=Q(role="admin") | Q(agency__isnull=False), name="user_agency_unless_admin")
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("admin:agencies_user_change", args=[self.pk])

    @property
    def province_id(self) -> int | None:
        return self.agency.province_id if self.agency_id else None

    def province_scope(self) -> models.QuerySet:
        """The user's province and the provinces merged into it, as a subquery (no query of its own).

        A successor province's reviewers see and follow their predecessors' documents and tasks (Đắk Lắk sees
        Phú Yên's). The 2025 merger has one generation, so one level of ``successor`` is enough.
        """
        return Province.objects.filter(Q(pk=self.province_id) | Q(successor_id=self.province_id)).values("pk")

    def sees_province(self, province_id: int | None) -> bool:
        """``province_scope`` for one province in Python; a query only for a province other than the user's own."""
        if province_id is None or self.province_id is None:
            return False
        if province_id == self.province_id:
            return True
        cached = getattr(self, "_province_scope_ids", None)
        if cached is None:
            cached = self._province_scope_ids = set(self.province_scope().values_list("pk", flat=True))
        return province_id in cached

    @property
    def agency_dissolved(self) -> bool:
        """The account's agency has ended: the account keeps its history but may no longer act."""
        return self.agency_id is not None and self.agency.is_dissolved_on()

    @property
    def is_reviewer(self) -> bool:
        return self.role in (Role.REVIEWER, Role.ADMIN) or self.is_superuser

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def can_import(self) -> bool:
        """Sở Nội vụ and Văn phòng UBND reviewers and administrators load appendices."""
        return self.is_superuser or self.role in (Role.REVIEWER, Role.ADMIN)
