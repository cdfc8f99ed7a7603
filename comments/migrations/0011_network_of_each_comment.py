# Each comment keeps the network a burst is counted over (a /24 of IPv4, a /56 of IPv6), so a burst is
# one indexed count; the comments already stored get theirs here.

import ipaddress

from django.db import migrations, models


def network_of(ip):
    # comments.models.network_of as it is now: a migration keeps its own copy.
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    return str(ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 56}", strict=False))


def fill_networks(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    batch = []
    for comment in Comment.objects.exclude(ip_address=None).only("pk", "ip_address").iterator(chunk_size=2000):
        comment.network = network_of(comment.ip_address)
        batch.append(comment)
        if len(batch) == 2000:
            Comment.objects.bulk_update(batch, ["network"])
            batch = []
    Comment.objects.bulk_update(batch, ["network"])


class Migration(migrations.Migration):

    dependencies = [
        ('comments', '0010_emails_per_address'),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='network',
            field=models.CharField(blank=True, default='', editable=False, max_length=50),
        ),
        migrations.RunPython(fill_networks, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['network', 'created_at'], name='comment_network_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['ip_address', 'created_at'], name='comment_address_idx'),
        ),
    ]
