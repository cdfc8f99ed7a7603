from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site (`manage.py load_demo`): its films, reviews, readers and drawn pictures. It knows
    the other apps; none of them knows it."""

    name = "reviewblog.demo"
    label = "demo"
    verbose_name = "Demo content"
