"""The demo site's reader comments, on the two Ballerina reviews of `content.py` beside this module.

A short thread (a comment, a reply, a reply to the reply), one more approved comment, and a
moderation queue for the demo moderator (milo): a first-time commenter waiting, and one spam.
Readers, emails and words are made up; addresses use the reserved example domains and IP ranges.
"""

GRIEF_WITH_A_GUN = "ballerina-grief-with-a-gun"
SLOWER_AND_BETTER = "ballerina-review-slower-and-better"

# Each comment is found again by its review and the time it was written, so loading twice adds nothing.
# "parent" names an earlier comment of this list by its "key".
COMMENTS = [
    {
        "key": "marta",
        "review": GRIEF_WITH_A_GUN,
        "name": "Marta Kowalczyk",
        "email": "marta.k@example.com",
        "written": "2025-06-20T21:14:00",
        "ip": "192.0.2.41",
        "status": "approved",
        "body": "I expected a spin-off made to fill a gap in the release calendar, and came out thinking Ana de "
        "Armas could carry this world on her own. Eve gets hurt, gets tired and grabs whatever is in reach, "
        "so every fight feels less like a dance number and more like getting out alive.",
    },
    {
        "key": "jonah",
        "parent": "marta",
        "review": GRIEF_WITH_A_GUN,
        "name": "Jonah Pryce",
        "email": "jonah@example.org",
        "url": "https://jonah.example.org/",
        "written": "2025-06-21T08:02:00",
        "ip": "198.51.100.23",
        "status": "approved",
        "body": "Agreed about de Armas, but the first act takes its time. The training years with the Ruska Roma "
        "are handsome and a little slow. Once Eve goes after the cult that killed her father, though, it "
        "never lets up.",
    },
    {
        "key": "ava",
        "parent": "jonah",
        "review": GRIEF_WITH_A_GUN,
        "name": "Ava Marlowe",
        "email": "ava@example.com",
        "written": "2025-06-21T12:45:00",
        "ip": "203.0.113.10",
        "status": "approved",
        "body": "I think the slow start is the point: Len Wiseman shows us who Eve was before she had to become a "
        "weapon, so the grief has somewhere to land later. Ten minutes could still go, I grant you.",
    },
    {
        "key": "dev",
        "review": SLOWER_AND_BETTER,
        "name": "Dev Raman",
        "email": "dev.raman@example.net",
        "written": "2025-06-09T19:30:00",
        "ip": "198.51.100.87",
        "status": "approved",
        "body": "Keanu Reeves is only in a few scenes and they are exactly right: John Wick as a warning of what "
        "Eve could turn into if she keeps going. I would happily watch a second film about her.",
    },
    {
        "key": "lucia",
        "review": GRIEF_WITH_A_GUN,
        "name": "Lucía Ferrer",
        "email": "lucia.ferrer@example.com",
        "written": "2025-06-22T17:05:00",
        "ip": "192.0.2.150",
        "status": "pending",
        "hold_notes": ["first comment from this address"],
        "body": "First time commenting here. I have only seen the first John Wick: do I need the other chapters "
        "before Ballerina, or does it stand on its own?",
    },
    {
        "key": "spam",
        "review": SLOWER_AND_BETTER,
        "name": "Free HD Movies",
        "email": "deals@watch-free.example",
        "url": "https://watch-free.example/",
        "written": "2025-06-10T03:33:00",
        "ip": "203.0.113.200",
        "status": "spam",
        "body": "Watch Ballerina 2025 full movie free in HD, no sign-up!!! https://watch-free.example/ballerina "
        "and more at https://watch-free.example/offers",
    },
]

# (kind, pattern, action, shadow, note): rules a moderator might start with.
RULES = [
    ("words", "casino bonus", "spam", False, "Gambling spam arrives in waves under review threads."),
    ("link", "bit.ly", "hold", True, "Trying out: would shortened links be worth a second look?"),
]
