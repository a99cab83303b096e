from django.utils.text import slugify


def unique_slug(model, text, *, max_length=80, instance=None):
    """A slug for `text` that no other row of `model` uses yet (adds -2, -3 … when needed)."""
    base = slugify(text)[:max_length].strip("-") or "item"
    others = model._default_manager.all()
    if instance is not None and instance.pk:
        others = others.exclude(pk=instance.pk)
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug = base[: max_length - len(suffix)] + suffix
        n += 1
    return slug
