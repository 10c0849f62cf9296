from kechuang.retrieval.tokenize import Tokenizer


def test_chinese_text_becomes_words_without_stopwords_or_punctuation():
    tokens = Tokenizer(mode="precise")("钙钛矿太阳能电池的光电转换效率。")
    assert tokens == ["钙钛矿", "太阳能", "电池", "光电", "转换", "效率"]


def test_search_mode_also_emits_the_words_inside_a_long_word():
    tokens = Tokenizer(mode="search")("锂离子电池正极材料")
    assert "锂离子" in tokens and "离子" in tokens
    assert "离子" not in Tokenizer(mode="precise")("锂离子电池正极材料")


def test_english_words_are_lower_cased_and_full_width_letters_folded():
    tokens = Tokenizer()("基于ＬＥＤ的Deep Learning方法")
    assert {"led", "deep", "learning"} <= set(tokens)
    assert "LED" not in tokens and "ＬＥＤ" not in tokens


def test_a_user_dictionary_term_stays_whole():
    text = "钙钛矿太阳能电池的光电转换效率"
    assert "钙钛矿太阳能电池" not in Tokenizer()(text)
    assert "钙钛矿太阳能电池" in Tokenizer(["钙钛矿太阳能电池"])(text)


def test_user_dictionaries_of_two_tokenisers_do_not_leak_into_each_other():
    with_term = Tokenizer(["红旗新能源"])
    plain = Tokenizer()
    assert "红旗新能源" in with_term("一汽红旗新能源汽车")
    assert "红旗新能源" not in plain("一汽红旗新能源汽车")


def test_single_latin_letters_and_digits_are_not_terms_but_single_hanzi_are():
    tokens = Tokenizer()("a 3 型 钢")
    assert "a" not in tokens and "3" not in tokens
    assert "钢" in tokens
