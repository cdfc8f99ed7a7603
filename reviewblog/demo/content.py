"""The demo site's films, people and reviews. Facts (titles, years, credits) are real; the prose is ours."""

FRANCHISES = [
    {
        "name": "John Wick",
        "description": "Hitmen, gold coins, the Continental hotel and the High Table: the films that grew "
        "out of one retired assassin's grief.",
    }
]

GENRES = ["Action", "Thriller", "Crime", "Spy"]

PEOPLE = {
    "Len Wiseman": "American director who moved from the art department to the Underworld films, Live Free "
    "or Die Hard, and now the John Wick world.",
    "Shay Hatten": "Screenwriter who joined the John Wick films with Chapter 3 and wrote Ballerina.",
    "Romain Lacourbas": "French cinematographer with a taste for colour and night-time cities.",
    "Ana de Armas": "Cuban-Spanish actor; Knives Out, Blade Runner 2049, No Time to Die, Blonde.",
    "Keanu Reeves": "Canadian actor, from Speed and The Matrix to a decade as John Wick.",
    "Anjelica Huston": "Oscar-winning actor and director; The Grifters, The Addams Family, Prizzi's Honor.",
    "Gabriel Byrne": "Irish actor of Miller's Crossing and The Usual Suspects.",
    "Ian McShane": "English actor, Deadwood's Al Swearengen and every John Wick film's Winston.",
    "Norman Reedus": "American actor best known as Daryl Dixon in The Walking Dead.",
    "Lance Reddick": "American actor (1962–2023); The Wire, Fringe, and Charon at the Continental's desk.",
    "Chad Stahelski": "Stunt performer turned director of every main John Wick film.",
    "Derek Kolstad": "Screenwriter who created John Wick.",
    "Jonathan Sela": "Cinematographer of John Wick and Atomic Blonde.",
    "Michael Nyqvist": "Swedish actor (1960–2017); The Girl with the Dragon Tattoo, and Viggo Tarasov.",
    "Alfie Allen": "English actor, Theon Greyjoy in Game of Thrones.",
    "Willem Dafoe": "American actor of Platoon, The Lighthouse and The Florida Project.",
    "Tyler Bates": "Composer for the John Wick films and Atomic Blonde.",
    "Joel J. Richard": "Composer who scored the John Wick films with Tyler Bates.",
    "David Leitch": "Stunt coordinator and director; co-directed John Wick uncredited, then Atomic Blonde.",
    "Kurt Johnstad": "Screenwriter of 300 and Atomic Blonde.",
    "Charlize Theron": "South African-American actor and producer; Monster, Mad Max: Fury Road.",
    "James McAvoy": "Scottish actor; Atonement, Split, the young Professor X.",
    "John Goodman": "American actor; The Big Lebowski, Roseanne, Barton Fink.",
    "Sofia Boutella": "Algerian-French dancer and actor; Kingsman, Climax.",
    "Toby Jones": "English character actor; Tinker Tailor Soldier Spy, Berberian Sound Studio.",
    "Jung Byung-gil": "South Korean director and former stuntman; Confession of Murder, The Villainess.",
    "Kim Ok-vin": "South Korean actor; Thirst, The Villainess.",
    "Shin Ha-kyun": "South Korean actor; Sympathy for Mr. Vengeance, Save the Green Planet!",
    "Sung Joon": "South Korean actor and model.",
    "Kim Seo-hyung": "South Korean actor; SKY Castle, The Villainess.",
    "Park Jung-hun": "South Korean cinematographer of The Villainess.",
}

# (person, job, character, billing)
FILMS = [
    {
        "title": "Ballerina",
        "release_year": 2025,
        "release_date": "2025-06-06",
        "runtime": 125,
        "franchise": "John Wick",
        "genres": ["Action", "Thriller", "Crime"],
        "synopsis": "Eve Macarro was a child when she watched her father die. Raised and trained by the Ruska "
        "Roma, the crime family that also made John Wick, she grows into a dancer and an assassin, and "
        "goes looking for the cult that killed him, against the wishes of everyone who protects her.",
        "poster": ("#2b0a05", "#e0561b", "stage", "Grief has learned to dance."),
        "credits": [
            ("Len Wiseman", "director", "", 1),
            ("Shay Hatten", "writer", "", 2),
            ("Romain Lacourbas", "cinematographer", "", 3),
            ("Tyler Bates", "composer", "", 4),
            ("Joel J. Richard", "composer", "", 5),
            ("Chad Stahelski", "producer", "", 6),
            ("Ana de Armas", "cast", "Eve Macarro", 10),
            ("Keanu Reeves", "cast", "John Wick", 11),
            ("Anjelica Huston", "cast", "The Director", 12),
            ("Gabriel Byrne", "cast", "The Chancellor", 13),
            ("Ian McShane", "cast", "Winston", 14),
            ("Norman Reedus", "cast", "Daniel Pine", 15),
            ("Lance Reddick", "cast", "Charon", 16),
        ],
    },
    {
        "title": "John Wick",
        "release_year": 2014,
        "release_date": "2014-10-24",
        "runtime": 101,
        "franchise": "John Wick",
        "genres": ["Action", "Thriller", "Crime"],
        "synopsis": "A retired hitman, newly widowed, is left a puppy by his late wife. When a mobster's son "
        "steals his car and kills the dog, the underworld learns why it was glad to see him retire.",
        "poster": ("#05080f", "#3a5a8c", "street", "Don't set him off."),
        "credits": [
            ("Chad Stahelski", "director", "", 1),
            ("Derek Kolstad", "writer", "", 2),
            ("Jonathan Sela", "cinematographer", "", 3),
            ("Tyler Bates", "composer", "", 4),
            ("Joel J. Richard", "composer", "", 5),
            ("David Leitch", "producer", "", 6),
            ("Keanu Reeves", "cast", "John Wick", 10),
            ("Michael Nyqvist", "cast", "Viggo Tarasov", 11),
            ("Alfie Allen", "cast", "Iosef Tarasov", 12),
            ("Willem Dafoe", "cast", "Marcus", 13),
            ("Ian McShane", "cast", "Winston", 14),
            ("Lance Reddick", "cast", "Charon", 15),
        ],
    },
    {
        "title": "Atomic Blonde",
        "release_year": 2017,
        "release_date": "2017-07-28",
        "runtime": 115,
        "franchise": None,
        "genres": ["Action", "Spy", "Thriller"],
        "synopsis": "Berlin, November 1989. An MI6 agent is sent to recover a list of undercover officers in "
        "the days before the Wall comes down, and finds that nobody on either side can be trusted.",
        "poster": ("#12051f", "#d63aa0", "neon", "Berlin, 1989. Trust no one."),
        "credits": [
            ("David Leitch", "director", "", 1),
            ("Kurt Johnstad", "writer", "", 2),
            ("Jonathan Sela", "cinematographer", "", 3),
            ("Tyler Bates", "composer", "", 4),
            ("Charlize Theron", "cast", "Lorraine Broughton", 10),
            ("James McAvoy", "cast", "David Percival", 11),
            ("John Goodman", "cast", "Emmett Kurzfeld", 12),
            ("Sofia Boutella", "cast", "Delphine Lasalle", 13),
            ("Toby Jones", "cast", "Eric Gray", 14),
        ],
    },
    {
        "title": "The Villainess",
        "release_year": 2017,
        "release_date": "2017-06-08",
        "runtime": 124,
        "franchise": None,
        "genres": ["Action", "Thriller", "Crime"],
        "synopsis": "Trained as a killer since childhood, Sook-hee is recruited by a South Korean intelligence "
        "agency and promised freedom after ten years of service. Her past does not agree to the deal.",
        "poster": ("#0b1a12", "#c9302c", "corridor", "Born to kill. Raised to obey."),
        "credits": [
            ("Jung Byung-gil", "director", "", 1),
            ("Jung Byung-gil", "writer", "", 2),
            ("Park Jung-hun", "cinematographer", "", 3),
            ("Kim Ok-vin", "cast", "Sook-hee", 10),
            ("Shin Ha-kyun", "cast", "Joong-sang", 11),
            ("Sung Joon", "cast", "Hyun-soo", 12),
            ("Kim Seo-hyung", "cast", "Chief Kwon", 13),
        ],
    },
]

# People given a drawn placeholder portrait (artwork.py beside this module), so their pages and credits show one.
PORTRAITS = ["Ana de Armas", "Keanu Reeves", "Anjelica Huston", "Charlize Theron", "Kim Ok-vin", "Len Wiseman",
             "Chad Stahelski", "David Leitch", "Ian McShane"]  # fmt: skip

USERS = [
    # username, password, first, last, group, printed role
    ("ava", "ava-writes-reviews", "Ava", "Marlowe", "Authors", "author"),
    ("theo", "theo-writes-reviews", "Theo", "Lindqvist", "Authors", "second author"),
    ("edith", "edith-edits-reviews", "Edith", "Okafor", "Editors", "editor"),
    ("milo", "milo-moderates", "Milo", "Reyes", "Moderators", "moderator"),
]

# Short bios on the demo authors' pages.
AUTHOR_BIOS = {
    "ava": "Ava writes about action cinema and the stunt teams who make it. She will sit through any credits.",
    "theo": "Theo reviews thrillers and slow cinema, and argues that every film is ten minutes too long.",
}

BALLERINA_ASPECTS = """\
*Ballerina* does not pretend to reinvent the John Wick films. What it does is find a new heart for them:
a young woman ([[Ana de Armas]]) whose violence is still raw, still personal, still tangled up with a
childhood she never got to finish.

## Direction

Len Wiseman takes his time in the first hour. We learn the Ruska Roma's rules, the rehearsal rooms where
dancers bleed, the quiet cruelty of a training that treats pain as a lesson. It pays off: when the film
finally opens the throttle, every fight means something because we know what Eve gave up to be able to
win it. The reshoots, overseen by Chad Stahelski, show in the best way, in set pieces that escalate with a
gleeful logic of their own.

## Acting

Ana de Armas is the reason to see it. Eve is not a superhero; she loses fights, gets up, improvises with
whatever is nearby, and lets us see her think. In the quiet scenes she plays grief as something physical,
carried in the shoulders. Anjelica Huston's Director is all velvet and threat, and Gabriel Byrne makes the
Chancellor chillingly reasonable. Keanu Reeves appears sparingly and wisely.

## Writing

Shay Hatten's script is a straight revenge line with a few familiar stops, and now and then the
dialogue turns into franchise lore for its own sake. But the motive is clear and the stakes stay
personal, which is more than many spin-offs manage.

## Cinematography

Romain Lacourbas moves from candle-lit theatres to a snowbound Alpine village without losing the series'
neon sheen. He keeps the camera back in the fights so you can follow every hit, and he knows when to hold
a wide shot until it hurts.

## Special effects

Practical first, digital second. The flamethrower duel is the set piece people will talk about, and it
earns it: fire that looks hot, water that looks heavy, and bodies that look like they hit the floor.

## Overall

A spin-off that stands on its own feet, and occasionally on someone's throat. If you like the John Wick
films, this is a welcome new voice in the same world; if you don't, de Armas might change your mind.
"""

BALLERINA_ESSAY = """\
The [[John Wick]] films run on momentum. *Ballerina* is the first of them that dares to slow down, and the
decision turns out to be its best one.

Eve Macarro (Ana de Armas) is raised by the Ruska Roma after her father is murdered in front of her. The
organisation that gave the world John Wick gives her a family of sorts, a stage, and a trade. Where Wick
fights like a professional clearing a to-do list, Eve fights like someone whose wound has never closed.
The action still lands hard, but there is always grief underneath it.

De Armas gets this completely. She is convincing in the choreography, but watch her between the fights:
a half-second when her eyes drift somewhere else before she snaps back to the job. Nothing is announced;
everything is there.

[[Keanu Reeves]] turns up as Wick, and the film knows not to lean on him. Anjelica Huston returns as the
Director, elegant and frightening at once, and Ian McShane's Winston gets a few dry lines that tie the
story to the larger saga.

> The abandoned theatre fight is the sequence everyone will remember: a dancer's body doing a killer's
> work under dying stage lights.

Len Wiseman keeps the series' clean, brutal staging but softens its edges with smoke, shadow and dreamy
flashbacks that feel remembered rather than shown. The Eastern European production design gives many
rooms a ceremonial weight, as if we were watching the rites of a forgotten church.

The sound deserves a mention. The synths and strings are back, but the silences between them do just as
much. Dialogue is sparse, sometimes too sparse, and the middle stretch sags a little before the final act
snaps everything back into focus.

||The last act moves to a snowbound alpine village where everyone, from the innkeeper to the
children, belongs to the cult, and the Director sends Wick himself to bring Eve home.||

It is not a perfect film, and it does not need to be. It is a confident, emotional, gorgeous action film
with a lead who makes you care about every bruise.
"""

JOHN_WICK = """\
Ten years and four sequels later, it is easy to forget how modest the first *John Wick* looked on paper:
a retired hitman, a dead wife, a dead dog, a very bad week for a Russian mobster's son.

What made it a classic was the craft. Chad Stahelski and David Leitch came from stunt work, and it shows
in every wide, unbroken shot that lets Keanu Reeves finish a move instead of cutting around it. The
"gun-fu" style, close-range and practical, felt new in 2014 and still does.

The world-building is sly: gold coins, a hotel with rules, a sommelier who sells guns. Ian McShane and the
much-missed Lance Reddick make the Continental feel like a place with a history.

| What works | What doesn't |
|:--|:--|
| The action, shot so you can follow it | The Tarasovs are thin villains |
| Reeves's quiet, wounded stillness | A last act that runs out of surprises |

Lean, stylish and sincere. Everything after it is built on this foundation.
"""

ATOMIC_BLONDE = """\
*Atomic Blonde* is a Cold War spy film wearing a neon jacket. Berlin, 1989: Charlize Theron's MI6 agent
arrives to recover a stolen list of agents, and spends the next two hours being lied to by everyone,
including the script.

The plot is a knot you stop trying to untie. The reason to watch is a single stairwell fight, staged to
look like one long take, in which Theron and her opponents get visibly, painfully tired. It is one of the
great action sequences of its decade.

James McAvoy is having tremendous fun as a station chief gone native, and Sofia Boutella brings warmth to
a film that otherwise runs on ice and synth-pop.

Style over sense, and for once that is a fair trade.
"""

THE_VILLAINESS = """\
Jung Byung-gil's *The Villainess* opens with a first-person massacre down a corridor and up a staircase,
a helmet-cam ballet that makes most action films look lazy. The rest of the film never quite matches it,
but it keeps trying, which is a kind of virtue.

Kim Ok-vin plays Sook-hee, a killer raised in the underworld and recruited by an intelligence agency that
promises her a normal life. The melodrama in between the fights is heavy and the flashbacks are
confusing, but the motorbike sword fight is worth the price on its own.

A clear ancestor of *Ballerina*: the dancer-assassin, the found family, the revenge that costs more than
it pays.
"""

DRAFT_NOTES = """\
Notes for a look back at the stunt teams behind John Wick, Atomic Blonde and Ballerina.

## To cover

- 87eleven and how the stunt-coordinator-turned-director pipeline works
- long takes versus invisible stitching
"""

STAIRWELLS = """A stairwell is the action film's honest room: no cover worth the name, nowhere to run but up or
down, and a camera that has to choose between following the fight and explaining it. Five films that
chose well, from least to most.

## 5. [[John Wick]]

The nightclub is the famous set piece, but the short scramble down the back stairs is where the film
shows its method: every blow lands in a wide frame, and Keanu Reeves is plainly doing the work himself.

## 4. [[The Villainess]]

Less a stairwell than a vertical corridor, shot from a viewpoint that never settles. It is exhausting by
design, and the film spends the rest of its length trying to top it.

## 3. [[Ballerina]]

The fights here are built around grief rather than stamina, and the stairs give Eve something to lose
her footing on. The choreography leaves her tired, which is the point.

## 2. The one nobody films any more

Every action fan has a favourite from the video-store years: two people, one railing, no music. Name
yours in the comments.

## 1. [[Atomic Blonde]]

Ten minutes that pretend to be a single take, from a flat to a stairwell to the street. Charlize Theron
and her stunt double trade places invisibly, and by the end everyone on screen is limping. Nothing on this
list comes close.
"""

REVIEWS = [
    {
        "slug": "ballerina-grief-with-a-gun",
        "film": "Ballerina",
        "author": "ava",
        "title": "Grief with a gun: Ballerina, aspect by aspect",
        "standfirst": "Ana de Armas gives the John Wick world a new, wounded heart.",
        "body": BALLERINA_ASPECTS,
        "rating": "4.5",
        "aspects": [
            ("Direction", "4"),
            ("Acting", "5"),
            ("Writing", "3.5"),
            ("Cinematography", "4.5"),
            ("Special effects", "4.5"),
        ],
        "published_at": "2025-06-20T09:00:00",
        "hero": ("#1a0603", "#f0642a", "stage"),
        "hero_alt": "",  # written from the drawing by load_demo
        "hero_caption": "Ballerina (2025). An illustration drawn for the demo, not a still from the film.",
    },
    {
        "slug": "ballerina-review-slower-and-better",
        "film": "Ballerina",
        "author": "theo",
        "title": "Ballerina slows the John Wick world down, and is better for it",
        "standfirst": "A revenge story that lets grief show between the fights.",
        "body": BALLERINA_ESSAY,
        "rating": "4",
        "contains_spoilers": True,
        "aspects": [],
        "published_at": "2025-06-08T18:30:00",
        "hero": ("#120402", "#c2410c", "doorway"),
        "hero_alt": "",  # written from the drawing by load_demo
        "hero_caption": "",
    },
    {
        "slug": "john-wick-ten-years-on",
        "film": "John Wick",
        "author": "ava",
        "title": "John Wick, ten years on: the stunt team's masterpiece",
        "standfirst": "A dead dog, a stolen car and the action film that changed a decade.",
        "body": JOHN_WICK,
        "rating": "4.5",
        "aspects": [("Direction", "5"), ("Acting", "4"), ("Writing", "3.5")],
        "published_at": "2025-05-20T08:00:00",
        "hero": ("#03060c", "#35598f", "street"),
        "hero_alt": "",  # written from the drawing by load_demo
        "hero_caption": "",
    },
    {
        "slug": "atomic-blonde-style-over-sense",
        "film": "Atomic Blonde",
        "author": "theo",
        "title": "Atomic Blonde: style over sense, and worth it",
        "standfirst": "One stairwell fight justifies the whole tangled plot.",
        "body": ATOMIC_BLONDE,
        "rating": "3.5",
        "aspects": [],
        "published_at": "2025-04-12T12:00:00",
        "hero": ("#14041f", "#d13c9c", "neon"),
        "hero_alt": "",  # written from the drawing by load_demo
        "hero_caption": "",
    },
    {
        "slug": "the-villainess-first-person-fury",
        "film": "The Villainess",
        "author": "ava",
        "title": "The Villainess: first-person fury",
        "standfirst": "An opening corridor fight for the ages, and a film that keeps chasing it.",
        "body": THE_VILLAINESS,
        "rating": "3.5",
        "aspects": [],
        "published_at": "2025-03-30T10:00:00",
        "hero": None,  # cards and link previews show the film's poster instead
        "hero_alt": "",  # written from the drawing by load_demo
        "hero_caption": "",
    },
    {
        # About no single film: an article, which pages, cards and feeds show without a film.
        "slug": "five-stairwell-fights-ranked",
        "film": None,
        "author": "theo",
        "title": "Five stairwell fights, ranked",
        "standfirst": "The action film's most honest room, and the five films that used it best.",
        "body": STAIRWELLS,
        "rating": None,
        "aspects": [],
        "published_at": "2025-05-02T17:00:00",
        "hero": None,
        "hero_alt": "",
        "hero_caption": "",
    },
    {
        "slug": "stunt-teams-draft",
        "film": "John Wick",
        "author": "ava",
        "title": "The stunt teams behind the modern action film",
        "standfirst": "Work in progress: not yet published.",
        "body": DRAFT_NOTES,
        "rating": None,
        "aspects": [],
        "published_at": "2025-07-01T09:00:00",
        "status": "draft",
        "hero": None,
        "hero_alt": "",
        "hero_caption": "",
    },
]

# Simple pages (django.contrib.flatpages), served under /pages/: address, title, Markdown.
PAGES = [
    (
        "/about/",
        "About Reel Verdicts",
        "Reel Verdicts is written by people who stay for the credits. Every review scores a film aspect by "
        "aspect (direction, acting, writing, craft) and says why.\n\n"
        "## Who writes here\n\n"
        "Ava and Theo review; Edith edits; Milo reads every comment before it appears.",
    ),
]
