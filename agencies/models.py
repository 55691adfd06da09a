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


class Province(models.Model):
    """A province; since 1 July 2025 many were merged, so each has a validity and a successor."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=100)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="predecessors", verbose_name=_("tỉnh kế thừa")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tỉnh")
        verbose_name_plural = _("tỉnh")

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", _("UBND tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    BOARD = "board", _("Ban quản lý")
    CENTRAL = "central", _("Cơ quan Trung ương đóng trên địa bàn")
    DISTRICT_COMMITTEE = "district_committee", _("UBND cấp huyện")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND cấp xã")
    PUBLIC_UNIT = "public_unit", _("Đơn vị sự nghiệp")
    MEDIA = "media", _("Báo, đài")
    OTHER = "other", _("Khác")


class AgencyLevel(models.TextChoices):
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
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["province", "kind"], name="agency_province_kind")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join(filter(None, [self.name, self.short_name])))
        super().save(*args, **kwargs)

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


class GroupKind(models.TextChoices):
    DEPARTMENTS = "departments", _("Các sở, ban, ngành")
    DISTRICT_COMMITTEES = "district_committees", _("UBND cấp huyện")
    COMMUNE_COMMITTEES = "commune_committees", _("UBND cấp xã")
    CENTRAL_AGENCIES = "central_agencies", _("Cơ quan Trung ương trên địa bàn")
    RELATED = "related", _("Các cơ quan, đơn vị liên quan")
    INSPECTED = "inspected", _("Đơn vị được kiểm tra")
    LOCALITIES = "localities", _("Địa phương")
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
            models.CheckConstraint(
                condition=Q(role="admin") | Q(agency__isnull=False), name="user_agency_unless_admin"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("admin:agencies_user_change", args=[self.pk])

    @property
    def province_id(self) -> int | None:
        return self.agency.province_id if self.agency_id else None

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
