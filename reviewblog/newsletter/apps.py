from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "reviewblog.newsletter"
    label = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from comments import privacy
        from reviews.groups import keep_granted

        from . import signup

        # Editors follow each send in the admin (read-only: mailings and subscribers change by themselves).
        keep_granted(self, {"Editors": {"newsletter": ["view_mailing", "view_subscriber"]}})

        # A reader's data export and erasure (comments' commands) take their subscription along.
        privacy.add_share("newsletter", export=signup.export, erase=signup.erase, held=signup.held_about)
