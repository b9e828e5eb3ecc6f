"""Answers to the exercise of 07_quality as students write them (see variants_scratch.py)."""

CORRECT = {
    "q20": [
        """
def header_in_order(fields):
    if not fields or any(field is None for field in fields):
        return False
    letters = [letter for letter, _ in fields]
    return letters[0] == "X" and letters[-1] == "K" and {"T", "M"} <= set(letters)
""",
        """
def header_in_order(fields):
    letters = "".join(field[0] if field else "?" for field in fields)
    return bool(letters) and "?" not in letters and letters.startswith("X") and letters.endswith("K") and (
        "T" in letters and "M" in letters
    )
""",
        """
def header_in_order(fields):
    import re

    letters = "".join("?" if field is None else field[0] for field in fields)
    return re.fullmatch(r"X[^?]*K", letters) is not None and "T" in letters and "M" in letters
""",
    ],
}

MISTAKES = {
    "q20": [
        # a None line let through
        (
            CORRECT["q20"][0]
            .replace(" or any(field is None for field in fields)", "")
            .replace("letters = [letter for letter, _ in fields]", "letters = [field[0] for field in fields if field]"),
            "comes before K",
        ),
        # M: not required
        (CORRECT["q20"][0].replace('{"T", "M"} <= set(letters)', '"T" in letters'), "no M:"),
        # K: anywhere, not last
        (CORRECT["q20"][0].replace('letters[-1] == "K"', '"K" in letters'), "K: is not the last field"),
    ],
}
