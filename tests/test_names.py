from geo.names import fold_text, name_key


def test_name_key_folds_spelling_variants_together():
    assert name_key("U.K.") == name_key("UK") == "uk"
    assert name_key("the Baltics") == name_key("Baltics")
    assert name_key("Ørland") == "orland"
    assert name_key("Luleå–Kallax") == "lulea-kallax"
    assert name_key("  Sea   of\tJapan ") == "sea of japan"


def test_fold_text_keeps_offsets():
    text = "Ørland – “Kraków” İzmir’s"
    assert len(fold_text(text)) == len(text)


def test_word_start_matcher_finds_what_the_plain_regex_finds():
    import re

    from geo.names import WordStartMatcher

    alternatives = [r"patroll?(?:s|ed|ing)?", r"exercis(?:e|es|ed)", r"flown (?:in|into)", r"\d+ troops",
                    r"(?:first|second) phase", r"Östersund"]
    texts = [
        "Two bombers patrolled; the exercise began. Jets were flown into Osan with 5,000 troops.",
        "PATROL EXERCISES Flown In 300 TROOPS — a SECOND PHASE",
        "Östersund hosted exercises; ſ and K are odd letters; prepatrolled is one word.",
        "",
    ]
    plain = re.compile(rf"\b(?:{'|'.join(alternatives)})\b", re.IGNORECASE)
    fast = WordStartMatcher(alternatives, re.IGNORECASE, suffix=r"\b")
    for text in texts:
        assert [(m.start(), m.end(), m.group(0)) for m in fast.finditer(text)] == \
            [(m.start(), m.end(), m.group(0)) for m in plain.finditer(text)], text


def test_word_start_matcher_picking_words_by_two_letters_finds_what_the_plain_regex_finds():
    import re

    from geo.names import WordStartMatcher

    alternatives = [r"patroll?(?:s|ed|ing)?", r"exercis(?:e|es|ed)", r"flown (?:in|into)", r"\d+ troops",
                    r"(?:first|second) phase", r"a dozen", r"(?:on )?(?:monday|tuesday)", r"x{2,3}y", r"\d(?:\.\d)?"]
    texts = [
        "Two bombers patrolled; the exercise began. Jets were flown into Osan with 5,000 troops on Monday.",
        "PATROL EXERCISES Flown In 300 TROOPS — a SECOND PHASE, A dozen; ON TUESDAY xxy xxxy",
        "Øexercise ſecond phase, Ǆ, ĸ; 7 troops; a  dozen; prepatrolled is one word; a",
        "a",
        "",
    ]
    fast = WordStartMatcher(alternatives, re.IGNORECASE, suffix=r"\b")
    assert fast._starts is not None  # the two-letter index is what this test is about
    plain = re.compile(rf"\b(?:{'|'.join(alternatives)})\b", re.IGNORECASE)
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], text
    exact = WordStartMatcher(["Pat(?:rol|h)", "exercise"])
    found = [m.group(0) for m in exact.finditer("Patrol patrol Path Exercise exercise")]
    assert found == ["Patrol", "Path", "exercise"]


def test_word_start_matcher_with_an_anchor_finds_what_the_plain_regex_finds():
    import re

    from geo.names import WordStartMatcher

    pattern = r"(?:[A-Z][\w.-]+\s+){1,4}(?:Command|Fleet)\b"
    text = ("The U.S. Indo-Pacific Command said the Baltic Fleet and the Northern Fleet sailed; Command "
            "was told. Black Sea Fleet Fleet Command. " * 3)
    fast = WordStartMatcher([pattern], anchor="Command|Fleet", reach=100)
    plain = re.compile(rf"\b(?:{pattern})")
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert [m.group(0) for m in fast.finditer("no anchors here at all")] == []
