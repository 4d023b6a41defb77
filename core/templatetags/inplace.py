"""``{% inplace_form %}``: the one form that edits an item in place.

Every item edited in place (a matrix row, a Give-Get, a step, a task, an
ambassador, the charter) is replaced by this form: a plain POST form (so it
works without JavaScript) that htmx posts instead, with Save and Cancel.
Cancel is a link to the item on its page; with htmx it fetches that page and
swaps back only the item.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("includes/inplace_form.html", takes_context=True)
def inplace_form(
    context: template.Context,
    *,
    action: str,
    page: str,
    item: str,
    key: object = None,
    target: str = "",
    target_key: object = None,
    fields: str = "",
    hx_action: str = "",
    cancel_get: str = "",
    form_class: str = "",
    buttons_class: str = "d-flex gap-2 mt-2",
    button_class: str = "",
) -> dict[str, Any]:
    """``action``: where the form posts (``hx_action`` when htmx posts elsewhere);
    ``page``: the page that shows the item, whose element ``item``-``key`` (or
    ``item``) a Cancel swaps back, unless ``cancel_get`` answers the item by
    itself; ``target``: what a save replaces, by default the item itself (a CSS
    selector, or with ``target_key`` the element ``target``-``target_key``);
    ``fields``: the template of the fields (default: the whole ``form``)."""
    item_id = f"{item}-{key}" if key is not None else item
    # The form, the playbook and the CSRF token come from the page's context.
    page_context: dict[str, Any] = {str(name): value for name, value in context.flatten().items()}
    if target_key is not None:
        target = f"#{target}-{target_key}"
    return {
        **page_context,
        "action": action,
        "hx_action": hx_action or action,
        "target": target or f"#{item_id}",
        "item_id": item_id,
        "cancel_href": f"{page}#{item_id}",
        "cancel_get": cancel_get or page,
        "cancel_select": "" if cancel_get else f"#{item_id}",
        "fields": fields,
        "form_class": form_class,
        "buttons_class": buttons_class,
        "button_class": button_class,
    }
