"""The conversation engine and its flows, shared by every channel.

Engine API (stable; flows in other modules are written against it)
===================================================================

Messages (:mod:`bot.flows.messages`)::

    Inbound(identity: IdentityRef(channel: str, external_id: str), text: str,
            update_id: str | None = None)     # a button press arrives as its option key
    Outbound(text: str, choices: tuple[Option, ...] = (),
             attachments: tuple[Attachment, ...] = ())
    Option(key: str, label: str)
    Attachment(kind: Literal["photo", "document"], filename: str, data: bytes, caption: str = "",
               alternatives: tuple[FileVersion(filename, data), ...] = (), elsewhere: str = "")
        # sent after the reply's text: Telegram as a photo or a file, Zalo uploads the first
        # version it accepts (PNG/JPG, PDF), the console writes it to a folder and prints the
        # path; no text promises a file: the channel says which files follow, and when one
        # cannot be sent, says so with ``elsewhere`` (how to get it another way)

Flows (:mod:`bot.flows.flow`)::

    Step(name, ask, answer, when=None, help=None)        # frozen dataclass
        ask:    msgid marked with __(), or (answers) -> translated text
        answer: an answer type (below); the value is stored in answers[name]
        when:   (answers) -> bool, the step is skipped when False
    Flow(name, title, steps, start=..., finish=..., keywords=(), matches=None,
         roles=ALL_ROLES, describe=None, public=False, listed=True, code=None,
         by_household_code=False)
        steps:  Sequence[Step], or (answers) -> Sequence[Step] for steps built from answers
        start:  async (FlowContext) -> initial answers
        finish: async (FlowContext, answers) -> Sequence[Outbound]; runs in the message's
                transaction; an InvalidInputError there undoes its writes and re-asks
        keywords: start words, matched after folding (“kiem tra”, “/kiemtra”); the words after
                the keyword are fed to the first step
        matches: (folded text) -> bool, to claim free text without a keyword
        public: anyone may start it by keyword, people without an account included; such a
                flow is never listed in a menu, and when it finishes the engine shows the menu
                of whatever access the person has then (onboarding by invite)
        listed: shown in menus (compact codes are not)
        code:   msgid of the flow as a compact code (“KT mã_hộ …”), listed on brief channels
        by_household_code: a message that is only a household code of the user's area starts
                this flow with it (the household check; the history for other roles)

Answer types (:mod:`bot.flows.answers`), each with ``parse(text) -> value`` raising
``ParseError``/``InvalidInputError`` with a Vietnamese msgid, ``options()``, ``hint()`` and
``describe(value)``; ``async resolve(context, text)`` (defaults to ``parse``) is overridden by
answers that need the database or the clock::

    Choice(options)  YesNo()  Integer(min, max)  Number(min, max)  Money(min=0, max=None)
    Text(max_length)  Phone()  Date()

Context (:mod:`bot.flows.context`): ``FlowContext(session, access, identity, now, tz, text)``
with ``today`` (date in Asia/Ho_Chi_Minh) and ``channel``; ``access`` is
:class:`storage.access.Access` (user id, name, grants; filter queries with
``storage.access.households_in_scope`` / ``units_in_scope``).

Engine (:mod:`bot.flows.engine`)::

    engine = Engine(sessions, clock, flows, flood_limit=None, brief_channels=("sms",))
        # clock: () -> aware datetime; brief channels (SMS) get the codes line, not the menu
    replies: list[Outbound] = await engine.handle(inbound)
    FloodLimit(messages=30, per=timedelta(minutes=1))

One transaction per inbound message. Cancel (``/huy``, ``hủy``, ``thôi``, ``/cancel``), back
(``/quaylai``, ``quay lai``, ``/back``) and help (``/giup``, ``/help``) work at every step;
``/start``, ``menu``, ``xin chào`` show the menu of the user's role, or offer to continue,
restart or cancel an unfinished flow. Conversations idle for 3 days are closed with a note.
A reply that does not fit the question but is a request (a keyword, a policy name, a
household code) is served at once; the interrupted conversation is kept with its answers and
offered again afterwards (the order of precedence is in :mod:`bot.flows.engine`).

Who gets in: a revoked user (``users.revoked_at``) is refused at once with a note. A person
without an account (or without a grant in force) talks with an empty ``Access`` (``user_id``
0, no grants): they may start public flows by keyword and otherwise get a note on how to get
an invite. With a ``FloodLimit``, an identity over its share gets one polite note per window
and then no reply; the count lives in the database (``message_rates``).

:func:`registered_flows` lists the flows of the application: the household check and a
household's history (``lịch sử hộ``), the policy lookup, the annual review (a household's
request ``hộ xin rà soát``, the village meeting ``họp thôn``; managers open it, record
complaints and approve it), the area summary, review progress and announcements to every cadre
of the area (managers), the mentor's households and open tasks (``hộ của tôi``) and follow-up
report, report submission and late reports, mentor assignment (managers), the support plan of a
household (``phân nhóm``), the support ledger (``hỗ trợ``, SMS ``HT``), the check of newly
escaped households (``thoát nghèo``), the support-plan summary and kinds of mentor (managers),
onboarding by invite (public), and the compact codes KT, CS, DD, BC, DK
(:mod:`bot.flows.codes`).
"""

from __future__ import annotations

from bot.flows.announcement import ANNOUNCEMENT
from bot.flows.codes import (
    FOLLOWUP_CODE,
    HOUSEHOLD_CODE,
    INVITE_CODE,
    POLICY_CODE,
    REPORT_CODE,
)
from bot.flows.escape_check import ESCAPE_CHECK
from bot.flows.flow import Flow
from bot.flows.followup_report import FOLLOWUP_REPORT, MENTOR_ASSIGNMENT
from bot.flows.household_check import HOUSEHOLD_CHECK
from bot.flows.household_history import HOUSEHOLD_HISTORY
from bot.flows.my_households import MY_HOUSEHOLDS
from bot.flows.onboarding import ONBOARDING
from bot.flows.policy_lookup import POLICY_LOOKUP
from bot.flows.report_submission import LATE_REPORTS, REPORT_SUBMISSION
from bot.flows.review import (
    REVIEW_APPROVE,
    REVIEW_COMPLAINT,
    REVIEW_MEETING,
    REVIEW_OPEN,
    REVIEW_REQUEST,
)
from bot.flows.summary import PROGRESS, SUMMARY
from bot.flows.support_ledger import SUPPORT_LEDGER
from bot.flows.support_plan import MENTOR_KIND, SUPPORT_PLAN
from bot.flows.support_sms import SUPPORT_SMS
from bot.flows.support_summary import SUPPORT_SUMMARY


def registered_flows() -> list[Flow]:
    """Every flow the engine serves, in menu order; each compact code (not in menus) follows
    the flow it shortens. ``cs`` is also a keyword of the policy lookup: the code flow comes
    first, so it wins the tie (keywords of equal length match in this order)."""
    return [
        HOUSEHOLD_CHECK,
        HOUSEHOLD_CODE,
        HOUSEHOLD_HISTORY,
        REVIEW_REQUEST,
        POLICY_CODE,
        POLICY_LOOKUP,
        SUMMARY,
        PROGRESS,
        REVIEW_OPEN,
        REVIEW_MEETING,
        REVIEW_COMPLAINT,
        REVIEW_APPROVE,
        ANNOUNCEMENT,
        MY_HOUSEHOLDS,
        FOLLOWUP_REPORT,
        FOLLOWUP_CODE,
        REPORT_SUBMISSION,
        REPORT_CODE,
        LATE_REPORTS,
        MENTOR_ASSIGNMENT,
        SUPPORT_PLAN,
        SUPPORT_LEDGER,
        SUPPORT_SMS,
        ESCAPE_CHECK,
        SUPPORT_SUMMARY,
        MENTOR_KIND,
        ONBOARDING,
        INVITE_CODE,
    ]
