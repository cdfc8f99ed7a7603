from django import forms

from .models import Subscriber


class SubscribeForm(forms.Form):
    email = forms.EmailField(max_length=254)
    frequency = forms.ChoiceField(choices=Subscriber.Frequency.choices, required=False)
    website = forms.CharField(required=False)  # the honeypot: people never see it, bots fill it

    def clean_frequency(self):
        return self.cleaned_data["frequency"] or Subscriber.Frequency.EACH
