from geo.gazetteer.names import fold_text, name_key


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

    from geo.gazetteer.names import WordStartMatcher

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

    from geo.gazetteer.names import WordStartMatcher

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

    from geo.gazetteer.names import WordStartMatcher

    pattern = r"(?:[A-Z][\w.-]+\s+){1,4}(?:Command|Fleet)\b"
    text = ("The U.S. Indo-Pacific Command said the Baltic Fleet and the Northern Fleet sailed; Command "
            "was told. Black Sea Fleet Fleet Command. " * 3)
    fast = WordStartMatcher([pattern], anchor="Command|Fleet", reach=100)
    plain = re.compile(rf"\b(?:{pattern})")
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert [m.group(0) for m in fast.finditer("no anchors here at all")] == []


def test_every_word_start_matcher_finds_what_its_plain_regex_finds_in_tricky_text():
    """Texts full of characters that fold unusually: "ſ" and "K" match ASCII letters under IGNORECASE,
    "ʼ" is a word character that folds to "'", "™" and "⑴" change sides, "\x01" is the word mark.
    Words are found on the folded text when folding keeps words apart, otherwise on the text itself;
    both must give what the plain regex gives."""
    import random
    import re

    from geo.extract import dates, mentions
    from geo.gazetteer.names import WordStartMatcher, fold_article_checked

    matchers = [matcher for _name, matcher in dates._PATTERNS]
    matchers += [dates._relative_rules()[0], mentions._trigger_patterns()[0], mentions._COUNT]
    matchers += [matcher for matcher, _kind in mentions._name_patterns() if matcher._anchor is None]
    matchers.append(WordStartMatcher([r"patroll?(?:s|ed|ing)?", r"(?:first|second) phase", r"a dozen", r"\d+ troops",
                                      r"kilo", r"izmir", r"o'clock"], re.IGNORECASE, suffix=r"\b"))
    matchers.append(WordStartMatcher([r"Sk\w+", r"USS \w+", r"Exercise"]))
    assert all(matcher._starts is not None for matcher in matchers[-2:])
    matchers.append(WordStartMatcher([r"kilo", r"o`clock"], re.IGNORECASE))  # "`" folds to "'"
    words = ["patrolled", "Patrols", "first phase", "a dozen", "5,000 troops", "two", "Exercise", "drills",
             "January", "3 March 2024", "last week", "on Monday", "USS Kentucky", "frigate Hessen", "Talisman Sabre",
             "Skagerrak", "ſkagerrak", "Kilo", "İzmir", "Izmir", "o'clock", "o`clock", "Émile", "Örebro", "北京", "ʼs",
             "a", "5", "I", "â", "U.S.", "2"]
    tricky = ["ſ", "K", "İ", "ı", "ʼ", "’", "™", "⑴", "\x01", "`", "é", "ß", "—", "\u00a0", "Ǆ", "²", "¦", "北",
              "…", "€"]
    separators = [" ", " ", " ", ", ", ". ", "\n\n", "-", "'", "¦", "…", "北 "]
    generator = random.Random(20261121)
    checked_both_ways = set()
    for _ in range(400):
        pieces = []
        for _word in range(generator.randint(0, 30)):
            word = generator.choice(words)
            if generator.random() < 0.3:
                at = generator.randint(0, len(word))
                word = word[:at] + generator.choice(tricky) + word[at:]
            pieces.append(word + generator.choice(separators))
        text = "".join(pieces)
        folded = fold_article_checked(text)
        checked_both_ways.add(folded.same_words and "\x01" not in folded.text)
        for matcher in matchers:
            assert [m.span() for m in matcher.finditer(text)] == [m.span() for m in matcher.pattern.finditer(text)], \
                (matcher.pattern.pattern[:60], text)
    assert checked_both_ways == {True, False}


def test_folding_keeps_word_characters_apart_except_where_the_article_check_says():
    """`fold_article_checked` says whether folding kept \\w characters \\w and the others not: checked
    against the regex itself over every character."""
    import re

    from geo.gazetteer.names import fold_article_checked, fold_text

    word = re.compile(r"\w")
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        folded = fold_text(char)
        same = bool(word.match(char)) == bool(word.match(folded))
        assert fold_article_checked("ab " + char + " cd").same_words == same, hex(code)
        assert folded not in "\x1c\x1d\x1e\x1f", hex(code)  # what re.ASCII's \s would miss (FoldedPattern)


def test_folded_patterns_find_in_ascii_mode_what_they_find_as_written():
    import random

    from geo.extract import clues, mentions
    from geo.gazetteer.names import FoldedPattern, fold_article

    patterns = [value for module in (clues, mentions) for value in vars(module).values()
                if isinstance(value, FoldedPattern)]
    assert len(patterns) > 20
    pieces = ["will", "Said", "from 8 to 13", "hamas ", "detached from the", "since ", "before\x1c", "é", "\x1f",
              "’s", "—", "home", "  ", "\n", ",", ";", "to the ", "north", "won't", "on alert", "K", "ſ", "5,000"]
    generator = random.Random(7)
    for _ in range(300):
        text = fold_article("".join(generator.choice(pieces) for _piece in range(generator.randint(0, 25))))
        for pattern in patterns:
            for start in (0, len(text) // 2):
                found, plain = pattern.search(text, start), pattern.unicode.search(text, start)
                assert (found and found.span()) == (plain and plain.span()), (pattern.pattern, text)
                found, plain = pattern.match(text, start), pattern.unicode.match(text, start)
                assert (found and found.span()) == (plain and plain.span()), (pattern.pattern, text)
