"""Compact codes for feature phones: one message does one job, and the reply fits two SMS.

====  ==============================================  =====================================
code  message                                         does
====  ==============================================  =====================================
KT    ``KT TL00001 010000001100 1tr2``                household check (digits in the order
                                                      of the standard in force, 1 = deprived;
                                                      income per person per month)
CS    ``CS bhyt``, ``CS cho hộ TL00001``               policy lookup, best match only
DD    ``DD TL00001 nuoc XONG`` (``DANG``, ``VUONG``)   a mentor reports one follow-up
BC    ``BC`` or ``BC 2026-Q4``                         submit the unit's periodic report
DK    ``DK K7QX4M2PRT Nguyễn Văn An``                  register with an invite (public)
====  ==============================================  =====================================

Each is an ordinary flow, started by its keyword on every channel. They are kept out of the
menus (``Flow.listed``) and listed instead, by ``Flow.code``, in the one line a brief channel
(SMS) sends when a message is not understood. Bad input gets what is wrong and an example in
one reply, and nothing is written.
"""

from __future__ import annotations

from bot.flows.codes.followup import FOLLOWUP_CODE
from bot.flows.codes.household import HOUSEHOLD_CODE
from bot.flows.codes.invite import INVITE_CODE
from bot.flows.codes.policy import POLICY_CODE
from bot.flows.codes.report import REPORT_CODE

__all__ = ["FOLLOWUP_CODE", "HOUSEHOLD_CODE", "INVITE_CODE", "POLICY_CODE", "REPORT_CODE"]
