"""Command line: a thin layer over the service.

Only `roundtable` (no command) and `roundtable open` import Textual; every other
command must stay importable without it so scripts start fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Callable

from .errors import RoundtableError

EXIT_ERROR = 1
EXIT_USAGE = 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear sentence, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _emit(args: argparse.Namespace, payload: dict[str, Any], text: str | Callable[[], str]) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        print(text() if callable(text) else text)


def _open(args):
    from .service import open_session

    return open_session(args.session, args.sessions_dir)


def _parse_int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{what} must be a whole number, got '{value}'.") from None


# -- commands -------------------------------------------------------------------

def cmd_tui(args) -> int:
    from .tui.app import RoundtableApp

    svc = _open(args) if getattr(args, "session", None) else None
    RoundtableApp(sessions_dir=args.sessions_dir, session=svc).run()
    return 0


def cmd_scenarios(args) -> int:
    from . import scenarios as sc

    action = args.action or "list"
    if action == "list":
        entries = sc.library()
        payload = {
            "scenarios": [
                {"id": e.id, "title": e.title, "language": e.language, "path": str(e.path),
                 "bundled": e.bundled, "variants": list(e.variants), "error": e.error}
                for e in entries
            ]
        }

        def text() -> str:
            lines = []
            for e in entries:
                where = "bundled" if e.bundled else str(e.path)
                if e.error:
                    lines.append(f"{e.id:<18} INVALID  {e.error}")
                else:
                    lines.append(f"{e.id:<18} {e.language:<3} {e.title}  [{', '.join(e.variants)}]  ({where})")
            return "\n".join(lines) or "No scenarios found."

        _emit(args, payload, text)
        return 0
    if action == "show":
        if not args.args:
            raise UsageError("scenarios show: give a scenario id or file.")
        loaded = sc.resolve_scenario(args.args[0])
        s = loaded.scenario
        if args.json:
            print(json.dumps(s.model_dump(mode="json", by_alias=True), ensure_ascii=False))
            return 0
        from .render import scenario_overview

        print(scenario_overview(s))
        return 0
    if action == "validate":
        if not args.args:
            raise UsageError("scenarios validate: give one or more files.")
        problems = sc.validate_files(args.args)
        if args.json:
            print(json.dumps({"valid": not problems, "problems": [str(p) for p in problems]}, ensure_ascii=False))
        else:
            for p in problems:
                print(p)
            if not problems:
                print(f"{len(args.args)} scenario file(s) valid.")
        return EXIT_ERROR if problems else 0
    if action == "schema":
        print(sc.json_schema())
        return 0
    raise UsageError(f"scenarios: unknown action '{action}' (use list, show, validate or schema).")


def cmd_new(args) -> int:
    from .scenarios import resolve_scenario
    from .service import create_session

    loaded = resolve_scenario(args.scenario)
    svc = create_session(
        loaded, variant=args.variant, title=args.title, date=args.date, venue=args.venue or "",
        facilitator=args.facilitator or "", sessions_dir=args.sessions_dir,
    )
    info = svc.info()
    _emit(args, {"id": info.id}, f"Created session {info.id}\n  {svc.path}")
    if args.open:
        from .tui.app import RoundtableApp

        RoundtableApp(sessions_dir=args.sessions_dir, session=svc).run()
    return 0


def cmd_sessions(args) -> int:
    from .service import list_sessions

    items = list_sessions(args.sessions_dir)
    payload = {"sessions": [
        {"id": s.id, "title": s.title, "scenario": s.scenario_id, "date": s.date, "path": str(s.path),
         "error": s.error} for s in items
    ]}
    _emit(args, payload, lambda: "\n".join(
        f"{s.id:<40} {s.date:<10} {s.title}" for s in items) or "No sessions yet (create one with `roundtable new`).")
    return 0


def cmd_group_add(args) -> int:
    g = _open(args).add_group(args.name)
    _emit(args, {"id": g.id}, f"Added group {g.id}: {g.name}")
    return 0


def cmd_group_list(args) -> int:
    svc = _open(args)
    groups = svc.groups()
    _emit(args, {"groups": [g.model_dump() for g in groups]}, lambda: "\n".join(f"{g.id:<5} {g.name}" for g in groups))
    return 0


def cmd_participant_add(args) -> int:
    p = _open(args).add_participant(
        args.name, organisation=args.org or "", sector=args.sector or "", group=args.group, role=args.role
    )
    code = f" — voting code {p.code}" if p.code else " (does not vote)"
    _emit(args, {"id": p.id, "code": p.code}, f"Added participant {p.id}: {p.name}{code}")
    return 0


def cmd_participant_list(args) -> int:
    svc = _open(args)
    people = svc.participants()
    payload = {"participants": [p.model_dump(mode="json") for p in people]}
    _emit(args, payload, lambda: "\n".join(
        f"{p.id:<5} {p.code or '-':<7} {p.role.value:<11} {p.group_id or '-':<4} {p.name} ({p.organisation})"
        for p in people))
    return 0


def cmd_participant_import(args) -> int:
    report = _open(args).import_participants_csv(args.file)
    payload = {
        "added": [{"id": p.id, "name": p.name, "code": p.code} for p in report.added],
        "skipped": report.skipped, "groups_created": report.groups_created,
    }

    def text() -> str:
        lines = [f"Imported {len(report.added)} participant(s)."]
        if report.groups_created:
            lines.append(f"Created groups: {', '.join(report.groups_created)}.")
        if report.skipped:
            lines.append(f"Could not take {len(report.skipped)} row(s):")
            lines += [f"  {s}" for s in report.skipped]
        return "\n".join(lines)

    _emit(args, payload, text)
    return 0


def cmd_participant_scribe(args) -> int:
    p = _open(args).set_scribe(args.id, not args.off)
    _emit(args, {"id": p.id, "scribe": p.scribe},
          f"{p.name} is {'now' if p.scribe else 'no longer'} the scribe of {p.group_id or 'no group'}.")
    return 0


def cmd_participant_revoke(args) -> int:
    p = _open(args).revoke_code(args.id)
    _emit(args, {"id": p.id, "code": None}, f"Withdrew {p.name}'s voting code; `participant reissue` gives a new one.")
    return 0


def cmd_participant_reissue(args) -> int:
    from .service import format_code

    p = _open(args).reissue_code(args.id)
    _emit(args, {"id": p.id, "code": p.code}, f"New voting code for {p.name}: {format_code(p.code)}")
    return 0


def cmd_join_code(args) -> int:
    svc = _open(args)
    code = svc.reissue_join_code() if args.reissue else svc.join_code()
    _emit(args, {"join_code": code, "join_url": svc.join_url() or None},
          f"Join code: {code}" + (f"\nJoin at: {svc.join_url()}" if svc.join_url() else ""))
    return 0


def cmd_codes(args) -> int:
    from .codes import write_code_sheet

    svc = _open(args)
    path = write_code_sheet(svc, args.output, fmt=args.format, join_url=args.public_url)
    _emit(args, {"path": str(path)}, f"Wrote the code sheet to {path}")
    return 0


def _client_from_env() -> str:
    import os

    # set by `roundtable serve` for each browser connection: its network address
    return os.environ.get("ROUNDTABLE_CLIENT") or "terminal"


def cmd_join(args) -> int:
    from .participant import connect

    gate = connect(args.session, args.sessions_dir, client=_client_from_env())
    try:
        from .tui.participant.app import ParticipantApp

        ParticipantApp(gate).run()
    finally:
        gate.close()
    return 0


def cmd_present(args) -> int:
    from .participant import projector

    if args.serve:
        from .serve import run_server

        return run_server(_open(args), target="present", host=args.host, port=args.port,
                          public_url=args.public_url)
    view = projector(args.session, args.sessions_dir)
    try:
        from .tui.projector.app import ProjectorApp

        ProjectorApp(view).run()
    finally:
        view.close()
    return 0


def cmd_serve(args) -> int:
    from .serve import run_server

    return run_server(_open(args), target="join", host=args.host, port=args.port, public_url=args.public_url)


def cmd_proposal_add(args) -> int:
    p = _open(args).add_proposal(
        args.group, args.title, text=args.text or "", step=args.step, timeframe=args.timeframe, actors=args.actor or []
    )
    _emit(args, {"id": p.id}, f"Added proposal {p.id}: {p.title}")
    return 0


def cmd_proposal_list(args) -> int:
    svc = _open(args)
    items = svc.proposals(group=args.group, step=args.step, timeframe=args.timeframe)
    payload = {"proposals": [p.model_dump(mode="json") for p in items]}
    _emit(args, payload, lambda: "\n".join(
        f"{p.id:<5} {p.group_id:<4} step {p.step or '-'} {p.timeframe or '-':<6} {p.title}"
        + (f"  (merged into {p.merged_into})" if p.merged_into else "") for p in items) or "No proposals yet.")
    return 0


def cmd_proposal_merge(args) -> int:
    p = _open(args).merge_proposal(args.source, args.into)
    _emit(args, {"id": p.id, "merged_into": p.merged_into}, f"Merged {p.id} into {p.merged_into}.")
    return 0


def cmd_proposal_delete(args) -> int:
    _open(args).delete_proposal(args.id)
    _emit(args, {"deleted": args.id.upper()}, f"Deleted proposal {args.id.upper()}.")
    return 0


def _describe_round(r) -> str:
    how = {
        "dot": lambda: f"dot vote, {r.dots} dots, at most {r.max_per_proposal} per proposal",
        "approval": lambda: "approval vote" + (f", at least {r.min_approvals}" if r.min_approvals is not None else "")
        + (f", at most {r.max_approvals}" if r.max_approvals is not None else ""),
        "score": lambda: f"score vote, 0 to {r.max_score}",
        "borda": lambda: "ranked vote (Borda)",
        "consent": lambda: "consent check",
    }[r.method]()
    extra = [x for x in (
        "one ballot per group" if r.per_group else "",
        "anonymous" if r.anonymous else "",
        {"after-close": "results shown at close", "after-vote": "results shown to each voter once they vote",
         "live": "results shown live", "manual": "results shown when you reveal them"}[r.reveal],
        f"runoff of round {r.runoff_of}" if r.runoff_of else "",
    ) if x]
    tied = f" ({', '.join(r.tied_at_cutoff)} tied at the cut-off and came along)" if r.tied_at_cutoff else ""
    return f"Round {r.id}: {how}; {', '.join(extra)}; over {', '.join(r.proposals)}{tied}."


def cmd_round_open(args) -> int:
    if args.method == "dot" and args.dots is None:
        raise UsageError("round open: a dot round needs --dots N (the budget per ballot).")
    if args.runoff is None and args.top is not None:
        raise UsageError("round open: --top goes with --runoff R (the top N of round R).")
    proposals = None
    if args.proposals:
        proposals = [p for p in (x.strip() for x in args.proposals.split(",")) if p]
    r = _open(args).open_round(
        method=args.method, dots=args.dots, max_per_proposal=args.max_per_proposal, min_approvals=args.min,
        max_approvals=args.max, max_score=args.max_score, proposals=proposals, title=args.title or "",
        shortlist=args.shortlist, per_group=args.per_group, reveal=args.reveal, anonymous=args.anonymous,
        runoff_of=args.runoff, top=args.top,
    )
    payload: dict[str, Any] = {"id": r.id}
    if r.runoff_of is not None:
        payload.update(proposals=r.proposals, tied_at_cutoff=r.tied_at_cutoff)
    _emit(args, payload,
          "Opened " + _describe_round(r)[0].lower() + _describe_round(r)[1:])
    return 0


def cmd_round_close(args) -> int:
    res = _open(args).close_round()
    _emit(args, {"id": res.round.id, "ballots_cast": res.ballots_cast},
          f"Closed round {res.round.id}: {res.ballots_cast} of {res.eligible} eligible voters cast a ballot.")
    return 0


def cmd_round_reveal(args) -> int:
    res = _open(args).reveal_results(args.round)
    _emit(args, {"id": res.round.id, "revealed_at": res.round.revealed_at},
          f"Results of round {res.round.id} are now shown to participants and on the projector.")
    return 0


def cmd_round_status(args) -> int:
    st = _open(args).round_status(args.round)
    state = "open" if st.round.is_open else "closed"
    _emit(args, {"round": st.round.id, "open": st.round.is_open, "eligible": st.eligible,
                 "ballots_cast": st.ballots_cast},
          f"Round {st.round.id} is {state}: {st.ballots_cast} of {st.eligible} eligible voters have cast a ballot.")
    return 0


def _pairs(items: list[str], what: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{what}: '{item}' is not of the form ID=N (for example P3=2).")
        try:
            n = int(value)
        except ValueError:
            raise UsageError(f"{what}: '{item}' needs a whole number after '='.") from None
        k = key.strip().upper()
        if k in out:
            raise UsageError(f"{what}: {k} is given twice.")
        out[k] = n
    return out


def _ballot_text(ballot) -> str:
    from .models import ConsentVote

    if isinstance(ballot, ConsentVote):
        return ballot.option + (f" ({ballot.reason})" if ballot.reason else "")
    if isinstance(ballot, dict):
        return ", ".join(f"{k}={v}" for k, v in ballot.items())
    return " ".join(ballot)


def cmd_vote(args) -> int:
    svc = _open(args)
    r = svc.open_round_now()
    method = r.method if r else "dot"
    if method in ("dot", "score"):
        ballot = _pairs(args.allocation, "vote")
    elif method in ("approval", "borda"):
        bad = [x for x in args.allocation if "=" in x]
        if bad:
            raise UsageError(f"vote: round {r.id} is {'an' if method == 'approval' else 'a'} {method} vote; "
                             f"list proposal ids (like P1 P4), not '{bad[0]}'.")
        ballot = [x.strip().upper() for x in args.allocation]
    else:
        if len(args.allocation) != 1:
            raise UsageError(f"vote: round {r.id} is a consent check; give one of agree, abstain, disagree, block.")
        ballot = args.allocation[0]
    stored = svc.cast_ballot(args.code, ballot, reason=args.reason or "", source="cli")
    payload = stored.model_dump() if hasattr(stored, "model_dump") else stored
    _emit(args, {"ok": True, "ballot": payload}, f"Ballot counted: {_ballot_text(stored)}.")
    return 0


def cmd_tally(args) -> int:
    tallies = _pairs(args.tallies, "tally")
    stored = _open(args).enter_paper_tally(tallies, args.round)
    _emit(args, {"ok": True, "tally": stored}, f"Paper tally recorded: {', '.join(f'{k}={v}' for k, v in stored.items())}.")
    return 0


def _results_payload(res) -> dict:
    r = res.round
    payload: dict[str, Any] = {
        "round": r.id, "method": r.method, "eligible": res.eligible, "ballots_cast": res.ballots_cast,
        "open": r.is_open,
    }
    if res.consent is not None:
        payload.update(proposal=res.consent.proposal, counts=res.consent.counts, outcome=res.consent.outcome,
                       blocks=res.consent.blocks)
        return payload
    items = []
    for x in res.results:
        item: dict[str, Any] = {"proposal": x.proposal, "points": x.points, "rank": x.rank}
        if r.method == "score":
            item.update(mean=x.mean, count=x.count)
        items.append(item)
    payload.update(results=items, tied=[x.proposal for x in res.results if x.tied], tie_for_first=res.tie_for_first)
    if res.tie is not None:
        s = res.tie.settlement
        payload["tie"] = {"at": res.tie.at, "tied": res.tie.tied, "places": res.tie.places,
                          "settlement": s.model_dump(mode="json") if s else None}
    return payload


def results_text(res, titles: dict[str, str]) -> str:
    r = res.round
    lines = [f"Round {r.id} ({r.method}): {res.ballots_cast} of {res.eligible} eligible "
             f"{'groups' if r.per_group else 'voters'} cast a ballot."]
    if res.consent is not None:
        c = res.consent
        lines.append(f"{c.proposal}  {titles.get(c.proposal, '')}")
        lines.append("  " + ", ".join(f"{k} {v}" for k, v in c.counts.items()))
        lines += [f"  block: {reason}" for reason in c.blocks]
        lines.append(f"Outcome: {c.outcome}.")
        return "\n".join(lines)
    top = max((x.points for x in res.results), default=0) or 1
    for x in res.results:
        bar = "█" * round(20 * x.points / top)
        tie = " tie" if x.tied else ""
        mean = f"  mean {x.mean:.2f}" if r.method == "score" and x.mean is not None else ""
        lines.append(f"{x.rank:>3}{tie:<4} {x.proposal:<5} {x.points:>4}  {bar:<20}  {titles.get(x.proposal, '')}{mean}")
    if res.tie is not None:
        from .render import tie_lines

        lines += tie_lines(res.tie, r.shortlist)
    return "\n".join(lines)


def cmd_results(args) -> int:
    svc = _open(args)
    res = svc.results(args.round)
    _emit(args, _results_payload(res), lambda: results_text(res, {p.id: p.title for p in svc.proposals()}))
    return 0


def cmd_tie_settle(args) -> int:
    svc = _open(args)
    chosen = [p for p in (x.strip() for x in (args.decide or "").split(",")) if p]
    how = "runoff" if args.runoff else "draw" if args.draw else "decision"
    runoff = {"method": args.method} if args.runoff and args.method else None
    if runoff and args.method == "dot":
        runoff["dots"] = args.dots or 1
    res = svc.settle_tie(args.round, how=how, seed=args.seed, chosen=chosen, reason=args.reason or "", runoff=runoff)
    s = res.tie.settlement
    _emit(args, {"round": res.round.id, "settlement": s.model_dump(mode="json")},
          lambda: results_text(res, {p.id: p.title for p in svc.proposals()}))
    return 0


def cmd_ballots(args) -> int:
    svc = _open(args)
    items = svc.ballots(args.round)
    r = svc.round(args.round)
    payload = {"round": r.id, "anonymous": r.anonymous, "ballots": [
        {"voter": b.voter, "cast_by": b.cast_by,
         "ballot": b.ballot.model_dump() if hasattr(b.ballot, "model_dump") else b.ballot} for b in items
    ]}
    _emit(args, payload, lambda: "\n".join(
        f"{b.voter or 'anonymous':<10} {_ballot_text(b.ballot)}" for b in items) or "No ballots.")
    return 0


def cmd_export(args) -> int:
    svc = _open(args)
    if args.output == "-":
        from .minutes import build_minutes, render

        sys.stdout.write(render(build_minutes(svc), args.format))
        return 0
    path = svc.export(args.format, args.output)
    _emit(args, {"path": str(path), "format": args.format}, f"Wrote {path}")
    return 0


def cmd_minutes_validate(args) -> int:
    from .minutes import validate_minutes_files

    problems = validate_minutes_files(args.files)
    if args.json:
        print(json.dumps({"valid": not problems, "problems": [str(p) for p in problems]}, ensure_ascii=False))
    else:
        for p in problems:
            print(p)
        if not problems:
            print(f"{len(args.files)} minutes file(s) valid.")
    return EXIT_ERROR if problems else 0


def cmd_minutes_schema(args) -> int:
    from .minutes import json_schema

    print(json_schema())
    return 0


def cmd_agenda(args) -> int:
    svc = _open(args)
    action = args.action or "show"
    if action == "start":
        svc.start_timer()
    elif action == "pause":
        svc.pause_timer()
    elif action == "extend":
        svc.extend_block(args.minutes)
    elif action == "next":
        svc.next_block()
    elif action == "end":
        svc.end_session()
    elif action != "show":
        raise UsageError(f"agenda: unknown action '{action}' (use show, start, pause, extend, next or end).")
    t = svc.timer()
    items = svc.agenda()
    payload = {
        "current": t.block, "running": t.running, "remaining_seconds": round(t.remaining_seconds),
        "agenda": [a.model_dump(mode="json") for a in items],
    }

    def text() -> str:
        lines = []
        for a in items:
            mark = ">" if a.position == t.block else ("✓" if a.ended_at else " ")
            lines.append(f"{mark} {a.position + 1:>2}. {a.title:<40} {a.planned_minutes:>4} min  {a.kind}")
        if t.block is not None:
            rem = int(t.remaining_seconds)
            sign = "-" if rem < 0 else ""
            state = "running" if t.running else "paused"
            lines.append(f"Block {t.block + 1} {state}: {sign}{abs(rem) // 60:02d}:{abs(rem) % 60:02d} "
                         + ("overtime" if rem < 0 else "left"))
        elif svc.info().ended_at:
            lines.append("The session has ended.")
        return "\n".join(lines)

    _emit(args, payload, text)
    return 0


def cmd_inject_list(args) -> int:
    svc = _open(args)
    states = svc.injects()
    payload = {"injects": [s.model_dump(mode="json") for s in states]}

    def text() -> str:
        lines = []
        for s in states:
            _, j = svc.scenario.inject(s.id)
            when = s.revealed_at.astimezone().strftime("%H:%M") if s.revealed_at else "hidden"
            lines.append(f"{s.id:<20} {s.phase_id:<10} {when:<7} {j.title}")
        return "\n".join(lines)

    _emit(args, payload, text)
    return 0


def cmd_inject_reveal(args) -> int:
    s = _open(args).reveal_inject(args.id)
    _emit(args, {"id": s.id, "revealed_at": s.revealed_at.isoformat()}, f"Revealed inject {s.id}.")
    return 0


def cmd_decision_add(args) -> int:
    d = _open(args).add_decision(args.text, args.proposal)
    _emit(args, {"id": d.id}, f"Recorded decision {d.id}.")
    return 0


def cmd_action_add(args) -> int:
    a = _open(args).add_action(args.text, owner=args.owner, due=args.due, status=args.status)
    _emit(args, {"id": a.id}, f"Recorded action {a.id} for {a.owner}.")
    return 0


def cmd_evaluation_add(args) -> int:
    n = _open(args).add_evaluation_note(args.kind, args.text)
    _emit(args, {"id": n.id}, f"Recorded evaluation note {n.id}.")
    return 0


def cmd_talk_notes(args) -> int:
    t = _open(args).update_talk(args.id, speaker=args.speaker, organisation=args.org, key_points=args.point)
    _emit(args, {"id": t.id}, f"Updated talk {t.id}.")
    return 0


# -- parser ------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    def common_options(default: Any) -> argparse.ArgumentParser:
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument("--json", action="store_true", default=default(False), help="print one JSON object")
        common.add_argument("--sessions-dir", metavar="DIR", default=default(None),
                            help="where sessions are kept (default ./sessions or $ROUNDTABLE_SESSIONS)")
        return common

    # Subcommands must not reset options given before the command (`roundtable --json sessions`):
    # their copies default to SUPPRESS, so only the top level supplies defaults.
    common = common_options(lambda _value: argparse.SUPPRESS)
    p = _Parser(prog="roundtable", description="Run round-table workshops built on a fictional event case.",
                parents=[common_options(lambda value: value)])
    p.set_defaults(func=cmd_tui)
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    def add(name, func, help, parent=sub):
        sp = parent.add_parser(name, help=help, parents=[common], description=help)
        sp.set_defaults(func=func)
        return sp

    def session(sp):
        sp.add_argument("session", metavar="SESSION", help="session id or session file")
        return sp

    session(add("open", cmd_tui, "open the TUI on a session"))

    # Nested actions (not one optional positional) so that `scenarios validate --json FILE` parses.
    sp = add("scenarios", cmd_scenarios, "list, show, validate scenarios or print their JSON Schema")
    sp.set_defaults(action=None, args=[])
    scsub = sp.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION")
    add("list", cmd_scenarios, "list bundled scenarios and those in ./scenarios", scsub)
    add("show", cmd_scenarios, "show a scenario", scsub).add_argument("args", nargs=1, metavar="ID|FILE")
    add("validate", cmd_scenarios, "validate scenario files", scsub).add_argument("args", nargs="+", metavar="FILE")
    add("schema", cmd_scenarios, "print the scenario JSON Schema", scsub)

    sp = add("new", cmd_new, "create a session from a scenario")
    sp.add_argument("scenario", metavar="SCENARIO", help="scenario id or TOML file")
    sp.add_argument("--variant", help="agenda variant (default: the scenario's first)")
    sp.add_argument("--title")
    sp.add_argument("--date", help="YYYY-MM-DD (default today)")
    sp.add_argument("--venue")
    sp.add_argument("--facilitator")
    sp.add_argument("--open", action="store_true", help="open the new session in the TUI")

    add("sessions", cmd_sessions, "list sessions, most recent first")

    group = add("group", None, "manage groups")
    gsub = group.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("add", cmd_group_add, "add a group", gsub))
    sp.add_argument("name", metavar="NAME")
    session(add("list", cmd_group_list, "list groups", gsub))

    part = add("participant", None, "manage participants")
    psub = part.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("add", cmd_participant_add, "add a participant (prints their voting code)", psub))
    sp.add_argument("name", metavar="NAME")
    sp.add_argument("--org")
    sp.add_argument("--sector")
    sp.add_argument("--group")
    sp.add_argument("--role", choices=["participant", "observer", "facilitator"], default="participant")
    sp = session(add("import", cmd_participant_import, "import participants from CSV: name, organisation, sector, group", psub))
    sp.add_argument("file", metavar="FILE.csv")
    session(add("list", cmd_participant_list, "list participants with their voting codes", psub))
    sp = session(add("scribe", cmd_participant_scribe, "let a participant type their group's proposals", psub))
    sp.add_argument("id", metavar="ID")
    sp.add_argument("--off", action="store_true", help="stop them being the scribe")
    sp = session(add("revoke", cmd_participant_revoke, "withdraw a participant's voting code", psub))
    sp.add_argument("id", metavar="ID")
    sp = session(add("reissue", cmd_participant_reissue, "give a participant a new voting code", psub))
    sp.add_argument("id", metavar="ID")

    sp = session(add("join-code", cmd_join_code, "show the session's join code (or issue a new one)"))
    sp.add_argument("--reissue", action="store_true", help="replace the join code")

    sp = session(add("codes", cmd_codes, "write a printable sheet of voting codes for badges"))
    sp.add_argument("--format", choices=["html", "txt"], default="html")
    sp.add_argument("--output", metavar="FILE", help="file to write (default: beside the session file)")
    sp.add_argument("--public-url", metavar="URL", help="join address to print (default: the one `serve` announced)")

    def server_options(sp, port: int):
        sp.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all interfaces)")
        sp.add_argument("--port", type=int, default=port, help=f"port (default {port})")
        sp.add_argument("--public-url", metavar="URL",
                        help="address browsers use (default: worked out from this machine's network address)")

    server_options(session(add("serve", cmd_serve, "serve the participant app to browsers on the local network")), 8000)
    session(add("join", cmd_join, "join a session as a participant, in this terminal"))
    sp = session(add("present", cmd_present, "the projector view (read-only, large type)"))
    sp.add_argument("--serve", action="store_true", help="serve it to a browser instead")
    server_options(sp, 8001)

    prop = add("proposal", None, "manage proposals")
    prsub = prop.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("add", cmd_proposal_add, "add a group's proposal", prsub))
    sp.add_argument("--group", required=True, metavar="G")
    sp.add_argument("--title", required=True, metavar="T")
    sp.add_argument("--text", metavar="X")
    sp.add_argument("--step", type=int, choices=[1, 2, 3])
    sp.add_argument("--timeframe", choices=["before", "during", "after"])
    sp.add_argument("--actor", action="append", metavar="A")
    sp = session(add("list", cmd_proposal_list, "list proposals", prsub))
    sp.add_argument("--group")
    sp.add_argument("--step", type=int, choices=[1, 2, 3])
    sp.add_argument("--timeframe", choices=["before", "during", "after"])
    sp = session(add("merge", cmd_proposal_merge, "merge a duplicate proposal into another", prsub))
    sp.add_argument("source", metavar="ID")
    sp.add_argument("into", metavar="INTO")
    sp = session(add("delete", cmd_proposal_delete, "delete a proposal", prsub))
    sp.add_argument("id", metavar="ID")

    rnd = add("round", None, "open and close voting rounds")
    rsub = rnd.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("open", cmd_round_open, "open a voting round", rsub))
    sp.add_argument("--method", choices=["dot", "approval", "score", "borda", "consent"], default="dot")
    sp.add_argument("--dots", type=int, metavar="N", help="dot: budget per ballot")
    sp.add_argument("--max-per-proposal", type=int, metavar="M", help="dot: cap per proposal")
    sp.add_argument("--min", type=int, metavar="N", help="approval: approve at least N")
    sp.add_argument("--max", type=int, metavar="N", help="approval: approve at most N")
    sp.add_argument("--max-score", type=int, metavar="S", help="score: scores go from 0 to S (default 5)")
    sp.add_argument("--proposals", metavar="ID,ID,...")
    sp.add_argument("--title", metavar="T")
    sp.add_argument("--shortlist", type=int, default=1, metavar="N",
                    help="how many proposals the round picks; a tie at that cut-off is flagged (default 1)")
    sp.add_argument("--per-group", action="store_true", help="one ballot per group, cast by any member")
    sp.add_argument("--reveal", choices=["live", "after-vote", "after-close", "manual"], default="after-close",
                    help="when participants and the projector see results (manual: `round reveal`)")
    sp.add_argument("--anonymous", action="store_true", help="keep ballots under one-way tokens, not voters")
    sp.add_argument("--runoff", type=int, metavar="R", help="vote again over the top of closed round R")
    sp.add_argument("--top", type=int, metavar="N", help="with --runoff: how many of round R's best")
    session(add("close", cmd_round_close, "close the open round", rsub))
    sp = session(add("reveal", cmd_round_reveal, "show a closed round's results to participants and the projector", rsub))
    sp.add_argument("--round", type=int, metavar="R")
    sp = session(add("status", cmd_round_status, "ballots cast so far (never the points)", rsub))
    sp.add_argument("--round", type=int, metavar="R")

    sp = session(add("vote", cmd_vote, "cast (or re-cast) a ballot: ID=N (dot, score), IDs (approval; borda "
                     "most preferred first), agree|abstain|disagree|block (consent)"))
    sp.add_argument("--code", required=True, metavar="CODE")
    sp.add_argument("--reason", metavar="TEXT", help="consent: why (required for block)")
    sp.add_argument("allocation", nargs="+", metavar="BALLOT")

    tie = add("tie", None, "settle a tie in a closed round")
    tsub_ = tie.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("settle", cmd_tie_settle, "settle by runoff, draw (recorded seed) or decision", tsub_))
    sp.add_argument("--round", type=int, metavar="R")
    how = sp.add_mutually_exclusive_group(required=True)
    how.add_argument("--runoff", action="store_true", help="open a runoff round among the tied")
    how.add_argument("--draw", action="store_true", help="draw lots with a recorded seed")
    how.add_argument("--decide", metavar="ID,ID,...", help="the tied proposals that go through")
    sp.add_argument("--seed", help="draw: the seed (default: a random one, recorded)")
    sp.add_argument("--reason", metavar="TEXT", help="decision: why (required)")
    sp.add_argument("--method", choices=["dot", "approval", "score", "borda"], help="runoff: method (default: same)")
    sp.add_argument("--dots", type=int, metavar="N", help="runoff by dots: budget")

    sp = session(add("ballots", cmd_ballots, "the ballots of a closed round (anonymous ones without voters)"))
    sp.add_argument("--round", type=int, metavar="R")

    sp = session(add("tally", cmd_tally, "enter points counted on paper or a wall for the open round"))
    sp.add_argument("tallies", nargs="+", metavar="ID=N")
    sp.add_argument("--round", type=int, metavar="R")

    sp = session(add("results", cmd_results, "results of a closed round"))
    sp.add_argument("--round", type=int, metavar="R")

    sp = session(add("export", cmd_export, "write the minutes"))
    sp.add_argument("--format", choices=["toml", "md"], default="toml")
    sp.add_argument("--output", metavar="FILE", help="file to write ('-' for standard output)")

    mins = add("minutes", None, "check minutes files")
    msub = mins.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = add("validate", cmd_minutes_validate, "validate minutes TOML files", msub)
    sp.add_argument("files", nargs="+", metavar="FILE")
    add("schema", cmd_minutes_schema, "print the minutes JSON Schema", msub)

    sp = session(add("agenda", cmd_agenda, "show the agenda or drive its timer"))
    sp.add_argument("action", nargs="?", choices=["show", "start", "pause", "extend", "next", "end"])
    sp.add_argument("--minutes", type=int, default=5, help="for extend (default 5)")

    inj = add("inject", None, "list or reveal injects")
    isub = inj.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    session(add("list", cmd_inject_list, "list injects and when they were revealed", isub))
    sp = session(add("reveal", cmd_inject_reveal, "reveal an inject to the room", isub))
    sp.add_argument("id", metavar="ID")

    dec = add("decision", None, "record decisions")
    dsub = dec.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("add", cmd_decision_add, "record a decision", dsub))
    sp.add_argument("text", metavar="TEXT")
    sp.add_argument("--proposal", metavar="ID")

    act = add("action", None, "record follow-up actions")
    asub = act.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("add", cmd_action_add, "record an action", asub))
    sp.add_argument("text", metavar="TEXT")
    sp.add_argument("--owner", required=True, metavar="ORG")
    sp.add_argument("--due", metavar="YYYY-MM-DD")
    sp.add_argument("--status", default="open", choices=["open", "in_progress", "done", "dropped"])

    ev = add("evaluation", None, "record evaluation notes")
    esub = ev.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("add", cmd_evaluation_add, "record what worked or what to improve", esub))
    sp.add_argument("kind", choices=["worked", "improve"])
    sp.add_argument("text", metavar="TEXT")

    talk = add("talk", None, "record talks")
    tsub = talk.add_subparsers(dest="sub", required=True, parser_class=_Parser, metavar="ACTION")
    sp = session(add("notes", cmd_talk_notes, "set a talk's speaker, organisation and key points", tsub))
    sp.add_argument("id", metavar="TALK")
    sp.add_argument("--speaker")
    sp.add_argument("--org")
    sp.add_argument("--point", action="append", metavar="TEXT", help="a key point (repeat)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.func is None:
            raise UsageError(f"roundtable {args.command}: give an action (see `roundtable {args.command} --help`).")
        return args.func(args) or 0
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except RoundtableError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
