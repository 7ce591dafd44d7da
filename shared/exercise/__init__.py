"""The pure arithmetic of exercising the warrant (Sections 2, 6) and its refusals.

- `cashless`: Section 2(c), X = Y - (A x Y) / B.
- `settlement_math`: Sections 2(b), 2(d)(ii), 6 and 4(a): shares issued, cash in lieu,
  payment due, the remainder, the successor basket.
- `refusals`: one plain sentence per refusal code.
- `exact`, `wall_clock`, `trading_days`: the Decimal context, eastern-time helpers and the
  Trading Day calendar interface these modules share with `shared.cap`, `shared.term`,
  `shared.notices` and `shared.delivery`.
Nothing here reads a clock, a file or a socket.
"""
