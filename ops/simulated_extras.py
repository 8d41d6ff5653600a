"""The simulator's added turns, from its second random stream (so a seed's other conversations stay
as they were): the interview's questions with their buttons and the short replies to them,
questions about one product (with its product entity), comparisons naming a model the catalog
lacks, and handoffs that staff claim and close after a while, followed by a 1-5 rating now and
then. Each script item is (text, needs or None, extra); extra["added"] marks these items, and
"after" is how long after the handoff the turn comes (see ops.simulate.Simulator._turns).
"""

from __future__ import annotations

from ops.scenario import INTERVIEW_REPLIES, PRODUCT_QUESTIONS, RATING_COMMENTS


def with_added_turns(sim, script):
    """The script with the interview, product questions, comparisons and handoffs added."""
    more = sim.more
    added = {"added": True}
    if script and more.random() < 0.25 and sim.catalog.category.interview:
        question = more.choice(sim.catalog.category.interview)
        buttons = [{"title": t, "payload": p} for t, p in question.buttons]
        asked = {"response": None, "text": question.text}  # as the bot's action asks it
        if buttons:
            asked["buttons"] = buttons
        reply = more.choice(
            [p for _, p in question.buttons] if buttons and more.random() < 0.6
            else INTERVIEW_REPLIES
        )  # fmt: skip
        script = [
            ("I need some help choosing", None, {**added, "intent": "ask_recommendation",
                                                 "responses": [asked]}),
            (reply, None, {**added, "intent": "inform"}),
            *script,
        ]  # fmt: skip
    if more.random() < 0.3:
        product = more.choice(sim.catalog.products)
        text, intent = more.choice(PRODUCT_QUESTIONS)
        text = text.format(m=product.model)
        start = text.index(product.model)
        entity = {"entity": "product", "value": product.id, "start": start,
                  "end": start + len(product.model)}  # fmt: skip
        script.append((text, None, {**added, "intent": intent, "entities": [entity]}))
    if more.random() < 0.06 and sim.missing_models:
        product = more.choice(sim.catalog.products)
        missing = more.choice(sim.missing_models)
        text = f"compare the {product.model} and the {missing}"
        start = text.index(product.model)
        entity = {"entity": "product", "value": product.id, "start": start,
                  "end": start + len(product.model)}  # fmt: skip
        script.append((text, None, {**added, "intent": "compare", "entities": [entity]}))
    if more.random() < 0.05:
        script += handoff(more)
    return script


def handoff(more) -> list:
    """A request for a person that staff take, answer and close, then a rating now and then."""
    added = {"added": True}
    script = [("can I talk to a person?", None, {**added, "intent": "human_handoff"})]
    if more.random() < 0.85:  # staff took it; the rest are still waiting or abandoned
        wait = more.choice((30, 60, 120, 240, 480, 900)) * more.uniform(0.5, 1.5)
        resolve = wait + more.uniform(120, 1800)
        staff = more.choice(("Sam", "Alex", "Priya"))
        script.append((f"Hi, {staff} here from the store. How can I help?", None,
                       {**added, "staff": True, "after": wait, "handoff_ends": resolve,
                        "staff_name": staff}))  # fmt: skip
        script.append(("thanks, that answers it", None, {**added, "intent": "thank"}))
        if more.random() < 0.7:
            score = more.choices((5, 4, 3, 2, 1), weights=(45, 30, 12, 8, 5))[0]
            rating = {"entity": "rating", "value": score, "start": 0, "end": 0}
            script.append((f'/rate{{"rating": {score}}}', None,
                           {**added, "intent": "rate", "entities": [rating],
                            "after": resolve, "rated": True}))  # fmt: skip
            if more.random() < 0.4:
                script.append((more.choice(RATING_COMMENTS), None,
                               {**added, "intent": "comment"}))  # fmt: skip
    return script
