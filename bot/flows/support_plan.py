"""``phân nhóm``: the support plan of a poor or near-poor household, by guided questions.

Steps: the household (of the user's area, poor or near-poor), its group (a, b, c of the Cam Lộ
directive), the causes of poverty (several numbers at once; “other” asks for a note), the year
it aims to escape (poor households only), its ethnic group and its people with merit. The
group's suggested support is shown with the causes question and again at the end; it is a
suggestion, nothing is assigned by it.

``loại đỡ đầu``: a manager records what kind of mentor a household's current mentor is — a
cadre, a member of a mass organisation (which one), or a better-off household.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.flows.answers import Choice, Text
from bot.flows.area_choice import MANAGING_ROLES
from bot.flows.context import FlowContext
from bot.flows.flow import Answers, Flow, Step
from bot.flows.messages import Option, Outbound
from bot.flows.support_answers import HouseholdInArea, MultiChoice, OptionalText, YearOrNone
from bot.i18n import _, __
from poverty.support_input import policy_name
from poverty.support_plans import PlanGroup, load_support_lists
from storage.audit import Actor
from storage.support_plans import (
    FoundHousehold,
    check_mentor_kind,
    check_plan,
    save_plan,
    set_mentor_kind,
)

TITLE = __("Phân nhóm hộ nghèo")
ASK_HOUSEHOLD = __("Mã hộ nghèo hoặc cận nghèo cần phân nhóm?")
ASK_GROUP = __("Hộ {code} – {head} thuộc nhóm nào?")
ASK_CAUSES = __(
    "Nguyên nhân nghèo của hộ? Chọn một hay nhiều số, cách nhau bởi dấu phẩy (ví dụ: 1, 3)."
)
SUGGESTION = __("Gợi ý hỗ trợ cho nhóm {group}: {support}")
SUGGESTED_POLICIES = __("Chính sách nên xem: {policies}.")
ONLY_SUGGESTION = __("Đây chỉ là gợi ý; hỗ trợ thực tế do xã quyết định.")
ASK_NOTE = __("Xin ghi ngắn nguyên nhân khác:")
ASK_TARGET = __("Năm phấn đấu thoát nghèo của hộ (ví dụ: {year})? Gõ “không” nếu chưa đặt.")
ASK_ETHNIC = __("Dân tộc của hộ (ví dụ: Kinh, Vân Kiều, Khmer)? Gõ “bỏ qua” để giữ như cũ.")
ASK_MERIT = __(
    "Hộ có người có công với cách mạng không? Chọn diện (một hay nhiều số), hoặc gõ “không”."
)
SAVED = __("Đã lưu kế hoạch hộ {code}: nhóm {group}.")
SAVED_CAUSES = __("Nguyên nhân: {causes}.")
SAVED_TARGET = __("Năm phấn đấu thoát nghèo: {year}.")
SAVED_ETHNIC = __("Dân tộc: {name}.")
SAVED_MERIT = __("Người có công: {names}.")
UNCHANGED = __("Kế hoạch hộ {code} không có gì thay đổi.")
NEXT = __("Gõ “hỗ trợ {code}” để ghi hỗ trợ hộ đã nhận.")


def _group_options() -> list[Option]:
    return [Option(g.code, f"{g.code}) {g.name}") for g in load_support_lists().groups]


def _cause_options() -> list[Option]:
    return [Option(c.code, c.name) for c in load_support_lists().causes]


def _merit_options() -> list[Option]:
    return [Option(m.code, m.name) for m in load_support_lists().merit_categories]


def suggestion_lines(group: PlanGroup) -> list[str]:
    lines = [_(SUGGESTION).format(group=group.code, support=_(group.support))]
    if group.policies:
        names = "; ".join(_(policy_name(code)) for code in group.policies)
        lines.append(_(SUGGESTED_POLICIES).format(policies=names))
    return lines


def _ask_causes(answers: Answers) -> str:
    group = load_support_lists().group(answers["nhom"])
    lines = suggestion_lines(group) if group else []
    return "\n".join([*lines, _(ASK_CAUSES)])


def _household(answers: Answers) -> dict[str, Any]:
    value: dict[str, Any] = answers["ho"]
    return value


def _steps(answers: Answers) -> Sequence[Step]:
    return (
        Step("ho", ASK_HOUSEHOLD, HouseholdInArea(poor_only=True)),
        Step(
            "nhom",
            lambda a: _(ASK_GROUP).format(code=_household(a)["code"], head=_household(a)["head"]),
            Choice(_group_options()),
        ),
        Step("nguyen_nhan", _ask_causes, MultiChoice(_cause_options())),
        Step(
            "ghi_chu",
            ASK_NOTE,
            Text(max_length=300),
            when=lambda a: "khac" in a.get("nguyen_nhan", ()),
        ),
        Step(
            "nam_thoat_ngheo",
            lambda a: _(ASK_TARGET).format(year=a["_nam"] + 1),
            YearOrNone(),
            when=lambda a: _household(a)["status"] == "ngheo",
        ),
        Step("dan_toc", ASK_ETHNIC, OptionalText(max_length=60)),
        Step("co_cong", ASK_MERIT, MultiChoice(_merit_options(), none_allowed=True)),
    )


async def _start(context: FlowContext) -> Answers:
    return {"_nam": context.today.year}


def actor_of(context: FlowContext) -> Actor:
    return Actor(f"user:{context.access.user_id}", context.access.user_id)


async def _finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    lists = load_support_lists()
    household = _household(answers)
    changes: dict[str, Any] = {
        "group_code": answers["nhom"],
        "causes": answers["nguyen_nhan"],
        "cause_note": answers.get("ghi_chu"),
        "merit_categories": answers["co_cong"],
    }
    if "nam_thoat_ngheo" in answers:
        changes["target_year"] = answers["nam_thoat_ngheo"]
    if answers.get("dan_toc") is not None:
        changes["ethnic_group"] = answers["dan_toc"]
    clean = check_plan(changes, household["status"], lists, code=household["code"])
    changed = await save_plan(
        context.session, household["id"], clean, actor_of(context), context.now
    )
    code = household["code"]
    if not changed:
        return [Outbound(_(UNCHANGED).format(code=code))]
    group = lists.group(clean["group_code"])
    assert group is not None
    lines = [_(SAVED).format(code=code, group=f"{group.code}) {_(group.name)}")]
    causes = [c.name for code_ in clean["causes"] if (c := lists.cause(code_)) is not None]
    lines.append(_(SAVED_CAUSES).format(causes=", ".join(_(c) for c in causes)))
    if clean.get("target_year"):
        lines.append(_(SAVED_TARGET).format(year=clean["target_year"]))
    if clean.get("ethnic_group"):
        lines.append(_(SAVED_ETHNIC).format(name=clean["ethnic_group"]))
    if clean["merit_categories"]:
        names = [m.name for key in clean["merit_categories"] if (m := lists.merit(key))]
        lines.append(_(SAVED_MERIT).format(names="; ".join(_(n) for n in names)))
    lines += suggestion_lines(group)
    lines.append(_(ONLY_SUGGESTION))
    lines.append(_(NEXT).format(code=code))
    return [Outbound("\n".join(lines))]


SUPPORT_PLAN = Flow(
    name="support_plan",
    title=TITLE,
    steps=_steps,
    start=_start,
    finish=_finish,
    keywords=("phan nhom", "/phannhom", "phannhom"),
    describe=lambda a: _household(a)["code"] if "ho" in a else _(TITLE),
)


KIND_TITLE = __("Loại người đỡ đầu")
ASK_KIND_HOUSEHOLD = __("Mã hộ cần ghi loại người đỡ đầu?")
ASK_KIND = __("Người đỡ đầu hộ {code} là ai?")
ASK_ORGANISATION = __("Thuộc đoàn thể nào? ({names})")
KIND_SAVED = __("Đã ghi: người đỡ đầu hộ {code} là {kind}.")
KIND_UNCHANGED = __("Người đỡ đầu hộ {code} đã được ghi như vậy; không thay đổi.")


def _kind_options() -> list[Option]:
    return [Option(k.code, k.name) for k in load_support_lists().mentor_kinds]


def _ask_organisation(answers: Answers) -> str:
    names = ", ".join(_(o.name) for o in load_support_lists().organisations)
    return _(ASK_ORGANISATION).format(names=names)


async def _kind_finish(context: FlowContext, answers: Answers) -> Sequence[Outbound]:
    household = _household(answers)
    kind, organisation = check_mentor_kind(answers["loai"], answers.get("doan_the"))
    found = FoundHousehold(household["id"], household["code"], household["head"], None)
    changed = await set_mentor_kind(
        context.session, found, kind, organisation, actor_of(context), context.now
    )
    lists = load_support_lists()
    named = lists.mentor_kind(kind)
    label = _(named.name) if named else kind
    if organisation is not None:
        org = next(o for o in lists.organisations if o.code == organisation)
        label = f"{label} – {_(org.name)}"
    text = KIND_SAVED if changed else KIND_UNCHANGED
    return [Outbound(_(text).format(code=household["code"], kind=label))]


class OrganisationName(Text):
    """An organisation of the list, by name or alias; unknown names are refused here."""

    def parse(self, text: str) -> str:
        cleaned = super().parse(text)
        check_mentor_kind("doan_the", cleaned)
        return cleaned


MENTOR_KIND = Flow(
    name="mentor_kind",
    title=KIND_TITLE,
    steps=(
        Step("ho", ASK_KIND_HOUSEHOLD, HouseholdInArea()),
        Step(
            "loai",
            lambda a: _(ASK_KIND).format(code=_household(a)["code"]),
            Choice(_kind_options()),
        ),
        Step(
            "doan_the",
            _ask_organisation,
            OrganisationName(max_length=60),
            when=lambda a: a.get("loai") == "doan_the",
        ),
    ),
    finish=_kind_finish,
    keywords=("loai do dau", "/loaidodau"),
    roles=MANAGING_ROLES,
)
