"""Language names for the codes books carry ("en" → "English").

A small table of the languages books are most often catalogued in (ISO 639-1, and the
ISO 639-2/3 codes library exports use for them), rather than a locale library: the site is in
English and needs only the names. A code not in the table is shown as it was given.
"""

from __future__ import annotations

NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "ga": "Irish", "gd": "Scottish Gaelic", "gl": "Galician",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese", "ka": "Georgian",
    "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian",
    "ms": "Malay", "mt": "Maltese", "nl": "Dutch", "nb": "Norwegian Bokmål",
    "nn": "Norwegian Nynorsk",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "vi": "Vietnamese", "yi": "Yiddish", "zh": "Chinese",
}  # fmt: skip
# Three-letter codes (MARC and ISO 639-2/B and /T) for the same languages.
THREE_LETTER = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "dan": "da", "deu": "de",
    "ger": "de", "ell": "el", "gre": "el", "eng": "en", "spa": "es", "fin": "fi", "fra": "fr",
    "fre": "fr", "heb": "he", "hin": "hi", "hun": "hu", "ita": "it", "jpn": "ja", "kor": "ko",
    "lat": "la", "nld": "nl", "dut": "nl", "nor": "no", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "swe": "sv", "tur": "tr", "ukr": "uk", "zho": "zh", "chi": "zh",
}  # fmt: skip


def language_name(code: str | None) -> str:
    """ "en", "EN", "en-GB" and "eng" → "English"; a name or an unknown code comes back as given."""
    text = (code or "").strip()
    key = text.lower().replace("_", "-").split("-")[0]
    key = THREE_LETTER.get(key, key)
    return NAMES.get(key, text)
