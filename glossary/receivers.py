"""Lessons read the glossary from the cache; any change to a term empties it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Term
from .selectors import glossary_forget


@receiver(post_save, sender=Term)
@receiver(post_delete, sender=Term)
def term_changed(**kwargs):
    glossary_forget()
