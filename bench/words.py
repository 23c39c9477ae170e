"""Word lists for generated titles, names and review text (written for this project)."""


def _w(text: str) -> list[str]:
    return text.split()


ADJECTIVES = _w(
    """silent hidden broken golden distant secret last first lost quiet bright dark
little long northern southern winter summer burning frozen bitter gentle wild empty
crooked hollow painted sleeping wandering forgotten scarlet silver iron glass paper
salt velvet restless patient invisible midnight morning ancient modern strange"""
)

NOUNS = _w(
    """river garden house city map mountain road harbor island kingdom letter clock
forest island lantern mirror ocean orchard bridge station library window tower field
shadow storm engine machine country archive theory atlas compass kitchen mother father
daughter son sister brother stranger doctor soldier sailor witch king queen thief
painter teacher tide fire stone feather bone song night year summer memory promise
secret silence hunger cartographer lighthouse village border"""
)

SUBJECTS = _w(
    """history science cooking gardening travel design economics philosophy poetry
music mathematics memory language war peace cities rivers birds maps trains"""
)

FIRST_NAMES = _w(
    """Ada Alan Amara Anna Arjun Beatriz Bruno Carmen Chen Clara Daniel Dara
Elena Emeka Ethan Farah Felix Grace Hana Hugo Ines Ivan Jamal Jana Joao Julia Kai
Kenji Lena Leo Lucia Maya Mateo Mina Nadia Noah Olga Omar Pia Priya Rafael Rosa
Ruth Samir Sara Sofia Tariq Tomas Una Vera Viktor Wen Yara Yusuf Zara Zoe"""
)

SYLLABLES = _w(
    """al an ar ba be bo ca co da de di el en er fa fe ga go ha he in ka ke
la le li lo lu ma me mi mo na ne ni no or pa pe ra re ri ro sa se si so ta te ti to
va ve vi wa ya za"""
)

PUBLISHERS = [
    "Harbor Press",
    "Lantern Books",
    "North Shore",
    "Atlas House",
    "Quill & Co",
    "Meridian",
    "Juniper Editions",
    "Fieldstone",
    "Blue Door",
    "Copperleaf",
    "Small Hours",
    "Tidewater",
]

LANGUAGES = ["en"] * 17 + ["fr", "de", "es"]

REVIEW_WORDS = _w(
    """book story chapter character plot prose ending pages author voice world
writing pace dialogue narrator structure detail heart idea scene moment reader translation
sentence language humour tension mystery history argument evidence style tone beginning
middle theme image landscape family friendship grief love war work time"""
)

VERBS = _w(
    """loved enjoyed admired finished started recommend reread savoured questioned
appreciated noticed missed remembered underlined doubted trusted followed"""
)

OPINIONS = _w(
    """wonderful slow moving clever uneven beautiful dense funny sad surprising
careful generous ambitious quiet honest tender sharp brilliant patient vivid"""
)

REVIEW_TITLES = [
    "A slow burn worth it",
    "Not for me",
    "Better than I expected",
    "Beautifully written",
    "Uneven but memorable",
    "Read it twice",
    "Could not put it down",
    "A quiet masterpiece",
    "Overrated",
    "Good, not great",
    "Stayed with me for weeks",
    "Perfect holiday read",
    "Clever and kind",
    "The ending!",
    "A book club favourite",
]
