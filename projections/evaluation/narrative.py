"""Plain-language text for the Board report, written from a *published* evaluation (``evaluate.py`` output).

Because it reads only the published figures, a suppressed cell cannot leak into the text: a hidden figure is
simply not there to mention. Numbers use thousands separators (``9,870``), whole percentages (``78%``) and
money with cents only below 100 (``$48,000``, ``$4.86``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_CURRENCY = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "$"}


def fmt_int(n: float) -> str:
    """``9870`` -> ``9,870`` (rounded to a whole number)."""
    return f"{int(round(n)):,}"


def fmt_pct(share: float) -> str:
    """``0.7774`` -> ``78%``."""
    return f"{int(round(share * 100 + 1e-9))}%"


def fmt_hours(h: float) -> str:
    """Whole hours from 100 up (``9,870``), one decimal below (``6.5``)."""
    return fmt_int(h) if h >= 100 else f"{h:,.1f}".rstrip("0").rstrip(".")


def fmt_money(amount: float, currency: str = "USD") -> str:
    """``48000`` -> ``$48,000``; ``4.857`` -> ``$4.86``."""
    sym = _CURRENCY.get(currency)
    text = f"{amount:,.0f}" if amount >= 100 else f"{amount:,.2f}"
    return f"{sym}{text}" if sym else f"{text} {currency}"


def _shown(block: Any) -> bool:
    return isinstance(block, Mapping) and block.get("suppressed") is False


def _noun(roles: Sequence[str]) -> str:
    if len(roles) == 1:
        r = roles[0].replace("_", " ")
        return r if r.endswith("s") else r + "s"
    return "staff"


def narrative(ev: Mapping[str, Any]) -> str:
    """One paragraph summarising the evaluation, mentioning only published figures."""
    n = ev["suppression"]["min_cell"]
    title = ev.get("title") or ev["program"]
    noun = _noun(ev.get("eligibility", {}).get("roles") or [])
    parts: list[str] = []
    p, h = ev["participation"], ev["hours"]
    first = f"{title} ({ev['period']['label']}): "
    if _shown(p):
        clause = f"{fmt_int(p['participants'])} of {fmt_int(p['eligible'])} eligible {noun}"
        clause += f" ({fmt_pct(p['rate'])}) took part" if p.get("rate") is not None else " took part"
        if _shown(h) and h.get("total"):
            if h.get("job_embedded_share") is not None:
                clause += (f"; {fmt_pct(h['job_embedded_share'])} of their {fmt_hours(h['total'])} hours were "
                           "sustained or job-embedded")
            else:
                clause += f"; they logged {fmt_hours(h['total'])} hours"
        first += clause
    else:
        first += f"participation is not shown because it describes fewer than {n} people"
    levels = ev.get("levels", {})
    r = levels.get("reactions")
    if _shown(r) and r.get("agree_share") is not None:
        first += (f"; {fmt_pct(r['agree_share'])} of exit-survey answers agreed the time was well spent "
                  f"(n={fmt_int(r['answers'])})")
    parts.append(first + ".")

    lr = levels.get("learning")
    if _shown(lr) and lr.get("pairs") and lr.get("mean_gain") is not None:
        gain = round(lr["mean_gain"] * 100)
        s = (f"On the pre- and post-tests the mean score went from {fmt_pct(lr['mean_pre'])} to "
             f"{fmt_pct(lr['mean_post'])} ({'+' if gain >= 0 else '−'}{abs(gain)} points, "
             f"n={fmt_int(lr['pairs'])} pairs)")
        if lr.get("pass_rate") is not None:
            s += f", and {fmt_pct(lr['pass_rate'])} passed the posttest (n={fmt_int(lr['tested'])})"
        parts.append(s + ".")

    sup = levels.get("support", {})
    co, plc = sup.get("coaching"), sup.get("plc")
    bits = []
    if _shown(co) and co.get("coached") and co.get("hours_per_coached_teacher") is not None:
        bits.append(f"{fmt_int(co['coached'])} coached {noun} received {fmt_hours(co['hours_per_coached_teacher'])} "
                    "hours of coaching each on average")
    if _shown(plc) and plc.get("members") and plc.get("minutes_per_week_per_member") is not None:
        bits.append(f"{fmt_int(plc['members'])} PLC members met {fmt_int(plc['minutes_per_week_per_member'])} "
                    "minutes a week on average")
    if bits:
        parts.append(("; ".join(bits) + ".")[0].upper() + ("; ".join(bits) + ".")[1:])

    u = levels.get("use", {})
    up, un = u.get("participants"), u.get("non_participants")
    if _shown(up) and up.get("proficient_share") is not None:
        s = (f"In walkthroughs and observations, {fmt_pct(up['proficient_share'])} of participants' observed "
             f"target practices were at proficient or above (n={fmt_int(up['observations'])} observations of "
             f"{fmt_int(up['people'])} {noun})")
        if _shown(un) and un.get("proficient_share") is not None:
            s += (f", against {fmt_pct(un['proficient_share'])} for other eligible {noun} "
                  f"(n={fmt_int(un['observations'])})")
        parts.append(s + ".")

    o = levels.get("outcomes", {})
    if any(any(_shown(t.get("participants")) for t in m["trend"]) for m in o.get("measures", [])):
        parts.append("Student outcome trends for the participants' cohorts are shown beside the others' "
                     f"({o['label']}).")

    c = ev.get("cost")
    if c and c.get("total") is not None:
        s = f"The program cost {fmt_money(c['total'], c['currency'])}"
        if c.get("per_participant_hour") is not None:
            s += f", {fmt_money(c['per_participant_hour'], c['currency'])} per participant-hour"
        parts.append(s + ".")
    return " ".join(parts)


def methods_note(ev: Mapping[str, Any], *, sources: Sequence[str] | None = None) -> str:
    """How the figures were made: sources, counting rules, the suppression rule, and the log position the
    report was computed at (request it again with ``known_at`` set to that position to reproduce it)."""
    st = ev.get("settings", {})
    series = st.get("series", {})
    react = st.get("reactions", {})
    models = ", ".join(m.replace("_", " ") for m in st.get("job_embedded_models", [])) or "none"
    src = list(sources) if sources else [
        "xAPI statements in the LRS (attendance, online courses, coaching sessions, PLC meetings, walkthroughs, "
        "exit surveys and tests, following the district xAPI Profile)",
        "the staff roster (eligibility, building, role, certification)",
        "de-identified outcome aggregates imported by the district (no student-level data)"]
    el = ev.get("eligibility", {})
    who = ", ".join(el.get("roles") or []) or "all roles"
    if el.get("buildings"):
        who += " in " + ", ".join(el["buildings"])
    if el.get("certified") is True:
        who += ", certified staff only"
    elif el.get("certified") is False:
        who += ", non-certified staff only"
    top = react.get("agree_top_points", 2)
    text = [
        "Sources: " + "; ".join(src) + ".",
        f"Counted: active eligible staff ({who}) and learning dated {ev['period']['from']} to "
        f"{ev['period']['to']}. Sustained or job-embedded hours are hours in {models}, or in a series of at "
        f"least {series.get('min_sessions', 3)} sessions over at least {series.get('min_weeks', 4)} weeks. "
        f"An answer agrees when it is one of the top {top} points of its scale (never more than half the scale), "
        f"or a rating of at least {fmt_pct(react.get('rating_agree_share', 0.8))} of its range. Pre/post pairs "
        "take each person's latest pretest before their earliest posttest. Outcome comparisons are "
        "correlation, not causation.",
        "Privacy: " + ev["suppression"]["rule"],
    ]
    srcinfo = ev.get("source") or {}
    if srcinfo.get("position") is not None:
        s = f"Computed from the statement log at position {srcinfo['position']}"
        if srcinfo.get("known_at"):
            s += f" (known_at={srcinfo['known_at']})"
        if srcinfo.get("computed_at"):
            s += f" on {srcinfo['computed_at']}"
        s += (f"; requesting the evaluation with known_at={srcinfo['position']} reproduces these figures.")
        text.append(s)
    return " ".join(text)
