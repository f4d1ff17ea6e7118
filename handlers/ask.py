"""Questions about procedures: search, log, and answer, suggest or say plainly we do not know.

A question is read in its conversation: right after an answer, one that names no
procedure is a follow-up on it (`handlers.context_follow`). The latest answered question
in the log is that context, so it survives a restart.
"""

from __future__ import annotations

from collections.abc import Sequence

from handlers import callbacks
from handlers.button_codec import pack
from handlers.cards import CardOptions
from handlers.context import HandlerContext
from handlers.context_follow import FollowUp, focus_lines, follow_up, said_elsewhere
from handlers.model import Block, Button, Reply, Style
from handlers.ports import QuestionRecord
from handlers.shorten import short_label
from knowledge.entry import Entry, Kind, Origin, Section
from knowledge.normalize import words
from knowledge.search import Intent, SearchResult

MAX_SUGGESTIONS = 3
# A runner-up this close to the answer's score is offered beside it ("Hay ý anh/chị là").
TIE_GAP = 0.0


async def answer_question(ctx: HandlerContext, user_id: int, text: str) -> Reply:
    result = ctx.index.search(text)
    last = await ctx.storage.questions.last_answered(user_id, ctx.clock() - ctx.context_window)
    shown = ctx.knowledge.get(last.answer_id or "") if last else None
    if shown is not None:
        follow = follow_up(result, shown, ctx.index.search, ctx.texts, ctx.knowledge)
        if follow is not None:
            return await _answer_follow_up(ctx, user_id, result, follow)
    candidates = [c.entry for c in result.candidates[:MAX_SUGGESTIONS]]
    question_id = await _log(ctx, user_id, result, result.intent.value, result.answer,
                             result.facet, candidates)
    match result.intent:
        case Intent.ANSWER:
            return _answer(ctx, result, question_id, first=last is None)
        case Intent.SUGGEST:
            return suggestions(ctx, ctx.texts("suggest"), list(enumerate(candidates)),
                               question_id)
        case Intent.GREETING:
            return Reply.text(ctx.texts("greeting_reply"))
        case Intent.THANKS:
            return Reply.text(ctx.texts("thanks_reply"))
        case Intent.EMPTY:
            return Reply.text(ctx.texts("empty_question"))
    return unknown_reply(ctx, question_id)


def _answer(ctx: HandlerContext, result: SearchResult, question_id: int, *, first: bool) -> Reply:
    """The card of the search's answer; `first`: the first answer of the conversation."""
    entry = result.answer
    assert entry is not None
    rival = close_call(result)
    focus: tuple[str, ...] = ()
    if entry.kind is Kind.GUIDANCE and result.facet is None:
        focus = focus_lines(result, entry, Section.STEPS, ctx.texts, ctx.knowledge.get)
    options = CardOptions(
        ask_support=support_available(ctx), disclaimer=first, focus=focus,
        alternative=(rival, result.candidates[rival].entry.title) if rival is not None else None,
        elsewhere=_elsewhere(ctx, entry, result.facet),
    )
    return ctx.cards.answer(entry, result.facet, question_id, options)


async def _answer_follow_up(
    ctx: HandlerContext, user_id: int, result: SearchResult, follow: FollowUp
) -> Reply:
    also = [follow.neighbour] if follow.neighbour else []
    question_id = await _log(ctx, user_id, result, "followup", follow.entry, follow.section,
                             [follow.entry, *also])
    options = CardOptions(
        ask_support=support_available(ctx), disclaimer=False, focus=follow.focus,
        alternative=(1, also[0].title) if also else None,
        elsewhere=_elsewhere(ctx, follow.entry, follow.section),
    )
    return ctx.cards.answer(follow.entry, follow.section, question_id, options)


def _elsewhere(
    ctx: HandlerContext, entry: Entry, section: Section | None
) -> tuple[Section, tuple[str, ...]] | None:
    return said_elsewhere(entry, section, ctx.texts, ctx.knowledge.get) if section else None


def close_call(result: SearchResult) -> int | None:
    """The index of a runner-up as close as the answer, to offer beside it; None when the
    answer stands alone, or when the question says its whole title."""
    if len(result.candidates) < 2 or result.answer is None:
        return None
    top, second = result.candidates[0], result.candidates[1]
    if second.score < top.score - TIE_GAP:
        return None
    if top.entry.origin is Origin.CURATED and second.entry.origin is not Origin.CURATED:
        return None
    return None if set(words(top.entry.title)) <= set(words(result.query)) else 1


async def press(ctx: HandlerContext, user_id: int, action: callbacks.Action) -> Reply:
    """A button press; stale buttons and someone else's get a polite refusal."""
    question = await ctx.storage.questions.get(action.question_id)
    if question is None or question.user_id != user_id:
        return Reply.text(ctx.texts("button_expired"))
    match action:
        case callbacks.ShowSection(section=section):
            entry = ctx.knowledge.get(question.answer_id or "")
            if entry is not None:
                options = CardOptions(ask_support=support_available(ctx), disclaimer=False,
                                      full=True)
                return ctx.cards.answer(entry, section, question.id, options)
        case callbacks.PickSuggestion(index=index):
            if index < len(question.candidate_ids):
                entry = ctx.knowledge.get(question.candidate_ids[index])
                if entry is not None:
                    picked = await _log_pick(ctx, user_id, question, entry.id)
                    # The first answer of a conversation may come from a suggestion list.
                    since = ctx.clock() - ctx.context_window
                    earlier = await ctx.storage.questions.last_answered(user_id, since, picked)
                    options = CardOptions(ask_support=support_available(ctx),
                                          disclaimer=earlier is None)
                    return ctx.cards.answer(entry, _section(question.facet), picked, options)
        case callbacks.Feedback(useful=True):
            await ctx.storage.questions.set_feedback(question.id, user_id, 1, ctx.clock())
            return Reply.text(ctx.texts("feedback_thanks_up"))
        case callbacks.Feedback(useful=False):
            await ctx.storage.questions.set_feedback(question.id, user_id, -1, ctx.clock())
            return _ask_flaw(ctx, question.id)
        case callbacks.FeedbackReason(flaw=flaw):
            await ctx.storage.questions.set_feedback_reason(
                question.id, user_id, flaw.value, ctx.clock()
            )
            return _thank_for_flaw(ctx, question, flaw)
        case callbacks.AskSupport() if not ctx.support.tickets:  # else the hotline's
            return _support(ctx, question)
    return Reply.text(ctx.texts("button_expired"))


def support_available(ctx: HandlerContext) -> bool:
    """Whether answer cards offer to take the question to the support team."""
    return ctx.support.tickets or bool(hotline_contacts(ctx))


def hotline_contacts(ctx: HandlerContext) -> str:
    """The support team's phone and e-mail as one phrase; empty when none is configured."""
    contacts = [
        ctx.texts("hotline_phone", phone=ctx.support.phone) if ctx.support.phone else "",
        ctx.texts("hotline_email", email=ctx.support.email) if ctx.support.email else "",
    ]
    return ", ".join(c for c in contacts if c)


async def asked_for_support(
    ctx: HandlerContext, user_id: int, action: callbacks.Action
) -> QuestionRecord | None:
    """The person's own logged question a "Hỏi tổ hỗ trợ" button carries, when the hotline
    takes tickets (the question and its entry go into the ticket); else None."""
    if not ctx.support.tickets or not isinstance(action, callbacks.AskSupport):
        return None
    question = await ctx.storage.questions.get(action.question_id)
    return question if question is not None and question.user_id == user_id else None


def unknown_reply(ctx: HandlerContext, question_id: int) -> Reply:
    """"I do not know", honestly, with the way to the support team, question carried."""
    contacts = hotline_contacts(ctx)
    if ctx.support.tickets:
        follow_up = ctx.texts("unknown_ask_team")
    elif contacts:
        follow_up = ctx.texts("unknown_hotline", contacts=contacts)
    else:
        follow_up = ctx.texts("unknown_no_hotline")
    return Reply((Block(ctx.texts("unknown")), Block(follow_up)), _support_row(ctx, question_id))


def suggestions(
    ctx: HandlerContext, intro: str, choices: Sequence[tuple[int, Entry]], question_id: int
) -> Reply:
    """A numbered list of full titles, a short button for each, and "none of these".

    `choices` pairs each entry with its index among the logged question's candidates.
    """
    texts = ctx.texts
    listed = "\n".join(
        texts("suggest_item", number=n, title=entry.title)
        for n, (_, entry) in enumerate(choices, 1)
    )
    buttons = tuple(
        (Button(texts("suggest_button", number=n, label=short_label(entry.title)),
                pack(callbacks.PickSuggestion(question_id, index))),)
        for n, (index, entry) in enumerate(choices, 1)
    )
    none = pack(callbacks.AskSupport(question_id))
    return Reply(
        (Block(intro), Block(listed)),
        (*buttons, (Button(texts("button_none_of_these"), none),)),
    )


def _ask_flaw(ctx: HandlerContext, question_id: int) -> Reply:
    texts = ctx.texts
    flaws = tuple(
        Button(texts(f"button_flaw_{flaw.value}"),
               pack(callbacks.FeedbackReason(question_id, flaw)))
        for flaw in callbacks.Flaw
    )
    return Reply((Block(texts("feedback_ask_flaw")),),
                 (flaws, *_support_row(ctx, question_id)))


def _thank_for_flaw(ctx: HandlerContext, question: QuestionRecord, flaw: callbacks.Flaw) -> Reply:
    """Thanks; for a wrong procedure, the other entries the question could have meant."""
    others = [
        (i, entry) for i, entry_id in enumerate(question.candidate_ids)
        if entry_id != question.answer_id and (entry := ctx.knowledge.get(entry_id))
    ]
    if flaw is callbacks.Flaw.WRONG_PROCEDURE and others:
        return suggestions(ctx, ctx.texts("feedback_wrong_procedure"), others, question.id)
    return Reply((Block(ctx.texts("feedback_flaw_thanks")),), _support_row(ctx, question.id))


def _support(ctx: HandlerContext, question: QuestionRecord) -> Reply:
    contacts = hotline_contacts(ctx)
    quote = Block(ctx.texts("support_quote", question=question.query), Style.NOTE)
    if not contacts:
        return Reply((Block(ctx.texts("support_no_contacts")), quote))
    return Reply(
        (
            Block(ctx.texts("support_intro")),
            quote,
            Block(ctx.texts("support_contacts", contacts=contacts)),
        )
    )


def _support_row(ctx: HandlerContext, question_id: int) -> tuple[tuple[Button, ...], ...]:
    support = pack(callbacks.AskSupport(question_id))
    return ((Button(ctx.texts("button_ask_support"), support),),)


async def _log(
    ctx: HandlerContext,
    user_id: int,
    result: SearchResult,
    intent: str,
    answer: Entry | None,
    facet: Section | None,
    candidates: Sequence[Entry],
) -> int:
    return await ctx.storage.questions.log(
        user_id=user_id,
        query=result.query,
        normalized_query=result.normalized,
        intent=intent,
        answer_id=answer.id if answer else None,
        facet=facet.value if facet else None,
        score=result.score,
        candidate_ids=[entry.id for entry in candidates],
        now=ctx.clock(),
    )


async def _log_pick(
    ctx: HandlerContext, user_id: int, question: QuestionRecord, entry_id: str
) -> int:
    """A chosen suggestion is logged as an answered question, so its buttons work too."""
    return await ctx.storage.questions.log(
        user_id=user_id,
        query=question.query,
        normalized_query=question.normalized_query,
        intent="picked",
        answer_id=entry_id,
        facet=question.facet,
        score=1.0,
        candidate_ids=[],
        now=ctx.clock(),
    )


def _section(facet: str | None) -> Section | None:
    return Section(facet) if facet else None
