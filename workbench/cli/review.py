"""The review group: agreement, disagreements, adjudicate, log."""

from __future__ import annotations

import click

from .base import EXIT_INPUT, Context, errors_reported, fail, pass_ctx, print_json, say


@click.group(invoke_without_command=True)
@click.pass_context
def review(click_ctx: click.Context) -> None:
    """Compare annotators, adjudicate their differences, audit who changed what.

    With no subcommand, opens the review screen (reviewer or admin): the documents
    submitted by two or more annotators or flagged, disagreements first; take one
    annotator's version of each contested span, edit, and submit the reviewed gold.
    Example: workbench review; workbench review adjudicate 12 --take amira
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.find_object(Context)
    assert ctx is not None
    # The screen writes reviewed gold: the same permission as `review adjudicate`.
    ctx.authorize("review adjudicate")
    ctx.require_database()
    from ..tui.app import run_review

    with errors_reported():
        run_review(ctx.db_path, ctx.config, ctx.annotator)


@review.command("agreement")
@click.option("--label", help="Only this label's row (e.g. KILLED, CASUALTY, ALL).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_ctx
def review_agreement(ctx: Context, label: str | None, as_json: bool) -> None:
    """Inter-annotator agreement over documents submitted by two or more annotators.

    Per pair of annotators and per label: spans each has, spans both have, exact-span
    F1 and, for casualty labels, F1 on (label, value) pairs per document; where either
    linked figures to their sources, how often the two agree on who reported each figure.
    Example: workbench review agreement --label KILLED
    """
    from rich.console import Console

    from ..review import AGREEMENT_CAPTION, agreement, render_agreement, render_pair_sources

    with errors_reported(), ctx.existing_store() as store:
        documents, pairs = agreement(store)
    if as_json:
        print_json({"documents": documents, "pairs": [p.to_dict(label) for p in pairs]})
        return
    if not pairs:
        click.echo("No document has been submitted by two or more annotators.")
        return
    console = Console(width=min(Console().width, 80))
    console.print(f"{documents} document(s) submitted by two or more annotators.", markup=False)
    for pair in pairs:
        console.print()
        console.print(render_agreement(pair, label))
        if (line := render_pair_sources(pair)) is not None:
            console.print(line, markup=False, highlight=False)
    console.print(AGREEMENT_CAPTION, markup=False, highlight=False)


@review.command("disagreements")
@click.option(
    "--annotator",
    "annotators",
    multiple=True,
    help="Compare only these annotators; repeat it: --annotator A --annotator B.",
)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0),
    help="Documents to show (0: all).",
)
@pass_ctx
def review_disagreements(ctx: Context, annotators: tuple[str, ...], limit: int) -> None:
    """List documents whose submitted annotations differ, with the spans that differ.

    Each span line shows label, offsets, the text (literally, control characters made
    visible), a casualty count, and who has it. Example:
    workbench review disagreements --annotator amira --annotator bob --limit 5
    """
    from ..review import disagreements, format_disagreement, without_submissions

    if len(annotators) == 1:
        fail("--annotator: give two or more to compare (or none for everyone)", EXIT_INPUT)
    with errors_reported(), ctx.existing_store() as store:
        for name in without_submissions(store, annotators):
            fail(f"{name} has no submitted annotations", EXIT_INPUT)
        found = 0
        for d in disagreements(store, annotators):
            found += 1
            if limit and found > limit:
                continue
            say("\n".join(format_disagreement(d)) + "\n")
    if not found:
        click.echo("No differences: submitted annotations agree on every shared document.")
    elif limit and found > limit:
        click.echo(f"Showed {limit} of {found} document(s) with differences (--limit 0: all).")
    else:
        click.echo(f"{found} document(s) with differences.")


@review.command("adjudicate")
@click.argument("doc_id", required=False, type=int)
@click.option("--take", help="The annotator whose accepted spans become the reviewed gold.")
@click.option(
    "--agreed",
    is_flag=True,
    help="Review every document whose submitters (two or more) all agree exactly.",
)
@click.option("--reviewer", help="Who adjudicates (default: --annotator, else your login).")
@pass_ctx
def review_adjudicate(
    ctx: Context, doc_id: int | None, take: str | None, agreed: bool, reviewer: str | None
) -> None:
    """Record an annotator's accepted spans as a document's reviewed gold.

    The reviewer's annotation (status "reviewed") replaces any earlier review of theirs;
    the events table keeps both. Export picks it up with --gold reviewed or best.
    Examples: workbench review adjudicate 12 --take amira --reviewer lead;
    workbench review adjudicate --agreed
    """
    from ..review import adjudicate, adjudicate_agreed

    who = reviewer or ctx.annotator
    ctx.act_as(who)
    if agreed == (doc_id is not None or take is not None) or (
        not agreed and (doc_id is None or take is None)
    ):
        fail("give DOC_ID --take ANNOTATOR, or --agreed", EXIT_INPUT)
    with errors_reported(), ctx.existing_store() as store:
        if agreed:
            result = adjudicate_agreed(store, who)
            say(
                f"Reviewed {len(result.reviewed)} document(s) where all submitters agree"
                f" (reviewer {who}).\n{result.already_reviewed} already reviewed;"
                f" {result.disagreeing} with differences left to adjudicate."
            )
            if result.own_work:
                ids = ", ".join(map(str, result.own_work))
                say(f"Not reviewed: {who} annotated document(s) {ids}; use --reviewer.")
            return
        assert doc_id is not None and take is not None
        annotation, replaced = adjudicate(store, doc_id, take, who)
        say(
            f"Document {doc_id}: reviewed gold by {who} is {take}'s"
            f" {len(annotation.spans)} span(s)"
            + (" (replacing an earlier review)." if replaced else ".")
        )


@review.command("verify")
@pass_ctx
def review_verify(ctx: Context) -> None:
    """Recompute the events' hash chain; name the first event that does not match.

    Exit 0 and the head hash (note it: a later check proves nothing before it changed)
    when the chain holds, exit 1 naming the event otherwise. Example: workbench review verify
    """
    with errors_reported(), ctx.existing_store() as store:
        checked, broken, head = store.verify_events()
    if broken is not None:
        fail(
            f"audit trail broken at event {broken}: its hash does not match its content and"
            f" the events before it ({checked} event(s) before it check out)"
        )
    say(f"{checked} event(s) verified; head hash {head or '(no events)'}")


@review.command("log")
@click.option("--doc", "doc_id", type=int, help="Only this document's events.")
@click.option("--annotator", "who", help="Only this annotator's (or reviewer's) events.")
@click.option("--since", help="Only events from this ISO date or date-time on (UTC if no zone).")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="The latest N events (0: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the raw events as JSON.")
@pass_ctx
def review_log(
    ctx: Context,
    doc_id: int | None,
    who: str | None,
    since: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Show the audit trail: time, who, action, document and what changed, oldest first.

    Example: workbench review log --doc 12 --since 2025-05-01
    """
    from rich.console import Console

    from ..review import document_texts, parse_since, render_log

    try:
        since_ts = parse_since(since) if since is not None else None
    except ValueError:
        fail(f"--since {since!r}: expected an ISO date such as 2025-05-01", EXIT_INPUT)
    with errors_reported(), ctx.existing_store() as store:
        if doc_id is not None:
            store.document(doc_id)  # an unknown id is an error, not an empty log
        events = store.audit_log(doc_id=doc_id, annotator=who, since=since_ts, limit=limit or None)
        if as_json:
            print_json([e.to_json() for e in events])
            return
        if not events:
            click.echo("No events.")
            return
        Console(width=min(Console().width, 80)).print(render_log(events, document_texts(store)))
