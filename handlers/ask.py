"""Questions about procedures: search, log, and answer, suggest or say plainly we do not know."""

from __future__ import annotations

from handlers import callbacks
from handlers.cards import answer_card
from handlers.context import HandlerContext
from handlers.model import Block, Button, Reply, Style
from handlers.ports import QuestionRecord
from knowledge.entry import Entry, Section
from knowledge.search import Intent, SearchResult

MAX_SUGGESTIONS = 3


async def answer_question(ctx: HandlerContext, user_id: int, text: str) -> Reply:
    result = ctx.index.search(text)
    question_id = await _log(ctx, user_id, result)
    match result.intent:
        case Intent.ANSWER:
            assert result.answer is not None
            return _card(ctx, result.answer, result.facet, question_id)
        case Intent.SUGGEST:
            return _suggestions(ctx, result, question_id)
        case Intent.GREETING:
            return Reply.text(ctx.texts("greeting_reply"))
        case Intent.THANKS:
            return Reply.text(ctx.texts("thanks_reply"))
        case Intent.EMPTY:
            return Reply.text(ctx.texts("empty_question"))
    return unknown_reply(ctx, question_id)


async def press(ctx: HandlerContext, user_id: int, data: str) -> Reply:
    """A button press; forged, stale or someone else's buttons get a polite refusal."""
    action = callbacks.unpack(data)
    question = await ctx.storage.questions.get(action.question_id) if action else None
    if action is None or question is None or question.user_id != user_id:
        return Reply.text(ctx.texts("button_expired"))
    match action:
        case callbacks.ShowSection(section=section):
            entry = ctx.knowledge.get(question.answer_id or "")
            if entry is not None:
                return _card(ctx, entry, section, question.id)
        case callbacks.PickSuggestion(index=index):
            if index < len(question.candidate_ids):
                entry = ctx.knowledge.get(question.candidate_ids[index])
                if entry is not None:
                    picked = await _log_pick(ctx, user_id, question, entry.id)
                    return _card(ctx, entry, _section(question.facet), picked)
        case callbacks.Feedback(useful=useful):
            value = 1 if useful else -1
            await ctx.storage.questions.set_feedback(question.id, user_id, value, ctx.clock())
            return Reply.text(ctx.texts("feedback_thanks_up" if useful else "feedback_thanks_down"))
        case callbacks.AskSupport() if not ctx.support.tickets:
            contacts = hotline_contacts(ctx)
            if contacts:
                return Reply(
                    (
                        Block(ctx.texts("support_intro")),
                        Block(ctx.texts("support_quote", question=question.query), Style.NOTE),
                        Block(ctx.texts("support_contacts", contacts=contacts)),
                    )
                )
    return Reply.text(ctx.texts("button_expired"))


def hotline_contacts(ctx: HandlerContext) -> str:
    """The support team's phone and e-mail as one phrase; empty when none is configured."""
    contacts = [
        ctx.texts("hotline_phone", phone=ctx.support.phone) if ctx.support.phone else "",
        ctx.texts("hotline_email", email=ctx.support.email) if ctx.support.email else "",
    ]
    return ", ".join(c for c in contacts if c)


async def asked_for_support(
    ctx: HandlerContext, user_id: int, data: str
) -> QuestionRecord | None:
    """The person's own logged question a "Hỏi tổ hỗ trợ" button carries, when the hotline
    takes tickets (the question and its entry go into the ticket); else None."""
    action = callbacks.unpack(data)
    if not ctx.support.tickets or not isinstance(action, callbacks.AskSupport):
        return None
    question = await ctx.storage.questions.get(action.question_id)
    return question if question is not None and question.user_id == user_id else None


def unknown_reply(ctx: HandlerContext, question_id: int) -> Reply:
    contacts = hotline_contacts(ctx)
    if ctx.support.tickets:
        follow_up = ctx.texts("unknown_ask_team")
    elif contacts:
        follow_up = ctx.texts("unknown_hotline", contacts=contacts)
    else:
        follow_up = ctx.texts("unknown_no_hotline")
    blocks = (Block(ctx.texts("unknown")), Block(follow_up))
    if not ctx.support.tickets:
        return Reply(blocks)
    support = callbacks.pack(callbacks.AskSupport(question_id))
    return Reply(blocks, ((Button(ctx.texts("button_ask_support"), support),),))


def _card(ctx: HandlerContext, entry: Entry, section: Section | None, question_id: int) -> Reply:
    ask_support = ctx.support.tickets or bool(hotline_contacts(ctx))
    return answer_card(entry, section, question_id, ctx.texts, ask_support=ask_support)


def _suggestions(ctx: HandlerContext, result: SearchResult, question_id: int) -> Reply:
    buttons = tuple(
        (Button(c.entry.title, callbacks.pack(callbacks.PickSuggestion(question_id, i))),)
        for i, c in enumerate(result.candidates[:MAX_SUGGESTIONS])
    )
    return Reply((Block(ctx.texts("suggest")),), buttons)


async def _log(ctx: HandlerContext, user_id: int, result: SearchResult) -> int:
    answer = result.answer
    return await ctx.storage.questions.log(
        user_id=user_id,
        query=result.query,
        normalized_query=result.normalized,
        intent=result.intent.value,
        answer_id=answer.id if answer else None,
        facet=result.facet.value if result.facet else None,
        score=result.score,
        candidate_ids=[c.entry.id for c in result.candidates[:MAX_SUGGESTIONS]],
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
