"""Names for the ISO 3166-1 alpha-2 codes the archive meets most; other codes show as the code."""

COUNTRY_NAMES = {
    "AE": "United Arab Emirates",
    "AO": "Angola",
    "BY": "Belarus",
    "CN": "China",
    "DZ": "Algeria",
    "EG": "Egypt",
    "GQ": "Equatorial Guinea",
    "JP": "Japan",
    "KP": "North Korea",
    "KR": "South Korea",
    "KW": "Kuwait",
    "LA": "Laos",
    "LY": "Libya",
    "MN": "Mongolia",
    "MY": "Malaysia",
    "NG": "Nigeria",
    "NP": "Nepal",
    "OM": "Oman",
    "PL": "Poland",
    "QA": "Qatar",
    "RU": "Russia",
    "SA": "Saudi Arabia",
    "SN": "Senegal",
    "TH": "Thailand",
    "TZ": "Tanzania",
    "UA": "Ukraine",
    "US": "United States",
    "UZ": "Uzbekistan",
    "VN": "Vietnam",
}


def country_name(code):
    return COUNTRY_NAMES.get(code, code)
