from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "reviewblog.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from comments import privacy

        from . import signup

        # A reader's data export and erasure (comments' commands) take their subscription along.
        privacy.add_share("newsletter", export=signup.export, erase=signup.erase, held=signup.held_about)
