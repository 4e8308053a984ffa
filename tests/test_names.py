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
