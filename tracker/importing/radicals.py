"""Radicals to ideographs: what a browser's PDF says for the characters it printed.

Chromium (Skia) writes a PDF's ToUnicode map from the font's own character map, and
a CJK font such as Noto Sans CJK draws 人 (U+4EBA) and the Kangxi radical ⼈
(U+2F08) with one glyph: the map names the radical, so the text layer reads
``⼈⺠政府`` for 人民政府 and ``⾸⻚`` for 首页. The Kangxi radicals (U+2F00-U+2FDF)
are compatibility characters that NFKC maps to the ideographs; the CJK Radicals
Supplement (U+2E80-U+2EFF) has no decomposition, and Unicode lists the ideograph
each is equivalent to in ``EquivalentUnifiedIdeograph.txt``. The table below holds
that supplement: the ideograph that Noto Sans CJK SC draws with the same glyph
(read from its character map with fontTools), which is the ideograph those PDFs
meant, and for the radicals that font does not draw, the ideograph their Unicode
name describes. One Kangxi radical is taken the same way (⼾: 户, not NFKC's 戶).
"""

import unicodedata

_SUPPLEMENT = {
    0x2E81: 0x5382,  # ⺁ 厂 cliff
    0x2E82: 0x4E5B,  # ⺂ 乛 second one
    0x2E83: 0x4E5A,  # ⺃ 乚 second two
    0x2E84: 0x4E59,  # ⺄ 乙 second three
    0x2E85: 0x4EBB,  # ⺅ 亻 person
    0x2E86: 0x5182,  # ⺆ 冂 box
    0x2E87: 0x20628,  # ⺇ 𠘨 table
    0x2E89: 0x5202,  # ⺉ 刂 knife two
    0x2E8B: 0x353E,  # ⺋ 㔾 seal
    0x2E8C: 0x5C0F,  # ⺌ 小 small one
    0x2E8D: 0x2D544,  # ⺍ 𭕄 small two
    0x2E8F: 0x5C23,  # ⺏ 尣 lame two
    0x2E90: 0x5C22,  # ⺐ 尢 lame three
    0x2E92: 0x5DF3,  # ⺒ 巳 snake
    0x2E93: 0x5E7A,  # ⺓ 幺 thread
    0x2E94: 0x5F51,  # ⺔ 彑 snout one
    0x2E95: 0x5F50,  # ⺕ 彐 snout two
    0x2E96: 0x5FC4,  # ⺖ 忄 heart one
    0x2E97: 0x5FC3,  # ⺗ 心 heart two
    0x2E98: 0x624C,  # ⺘ 扌 hand
    0x2E99: 0x6535,  # ⺙ 攵 rap
    0x2E9B: 0x65E1,  # ⺛ 旡 choke
    0x2E9E: 0x6B7A,  # ⺞ 歺 death
    0x2E9F: 0x6BCD,  # ⺟ 母 mother
    0x2EA0: 0x6C11,  # ⺠ 民 civilian
    0x2EA1: 0x6C35,  # ⺡ 氵 water one
    0x2EA2: 0x6C3A,  # ⺢ 氺 water two
    0x2EA3: 0x706C,  # ⺣ 灬 fire
    0x2EA4: 0x722B,  # ⺤ 爫 paw one
    0x2EA6: 0x4E2C,  # ⺦ 丬 simplified half tree trunk
    0x2EA7: 0x725B,  # ⺧ 牛 cow
    0x2EA8: 0x72AD,  # ⺨ 犭 dog
    0x2EA9: 0x248E9,  # ⺩ 𤣩 jade
    0x2EAC: 0x793A,  # ⺬ 示 spirit one
    0x2EAD: 0x793B,  # ⺭ 礻 spirit two
    0x2EAE: 0x25AD7,  # ⺮ 𥫗 bamboo
    0x2EAF: 0x7CF9,  # ⺯ 糹 silk
    0x2EB0: 0x7E9F,  # ⺰ 纟 c-simplified silk
    0x2EB1: 0x7F53,  # ⺱ 罓 net one
    0x2EB3: 0x34C1,  # ⺳ 㓁 net three
    0x2EB6: 0x7F8A,  # ⺶ 羊 sheep
    0x2EB9: 0x8002,  # ⺹ 耂 old
    0x2EBA: 0x8080,  # ⺺ 肀 brush one
    0x2EBB: 0x807F,  # ⺻ 聿 brush two
    0x2EBD: 0x26951,  # ⺽ 𦥑 mortar
    0x2EBE: 0x8279,  # ⺾ 艹 grass one
    0x2EC1: 0x864E,  # ⻁ 虎 tiger
    0x2EC2: 0x8864,  # ⻂ 衤 clothes
    0x2EC3: 0x8980,  # ⻃ 覀 west one
    0x2EC4: 0x897F,  # ⻄ 西 west two
    0x2EC5: 0x89C1,  # ⻅ 见 c-simplified see
    0x2EC6: 0x89D2,  # ⻆ 角 simplified horn
    0x2EC7: 0x278B2,  # ⻇ 𧢲 horn
    0x2EC8: 0x8BA0,  # ⻈ 讠 c-simplified speech
    0x2EC9: 0x8D1D,  # ⻉ 贝 c-simplified shell
    0x2ECA: 0x27FB7,  # ⻊ 𧾷 foot
    0x2ECB: 0x8F66,  # ⻋ 车 c-simplified cart
    0x2ECC: 0x8FB6,  # ⻌ 辶 simplified walk
    0x2ED0: 0x9485,  # ⻐ 钅 c-simplified gold
    0x2ED1: 0x9577,  # ⻑ 長 long one
    0x2ED2: 0x9578,  # ⻒ 镸 long two
    0x2ED3: 0x957F,  # ⻓ 长 c-simplified long
    0x2ED4: 0x95E8,  # ⻔ 门 c-simplified gate
    0x2ED5: 0x28E0F,  # ⻕ 𨸏 mound one
    0x2ED6: 0x961D,  # ⻖ 阝 mound two
    0x2ED7: 0x96E8,  # ⻗ 雨 rain
    0x2ED8: 0x9752,  # ⻘ 青 blue
    0x2ED9: 0x97E6,  # ⻙ 韦 c-simplified tanned leather
    0x2EDA: 0x9875,  # ⻚ 页 c-simplified leaf
    0x2EDB: 0x98CE,  # ⻛ 风 c-simplified wind
    0x2EDC: 0x98DE,  # ⻜ 飞 c-simplified fly
    0x2EDD: 0x98DF,  # ⻝ 食 eat one
    0x2EDE: 0x2967F,  # ⻞ 𩙿 eat two
    0x2EDF: 0x98E0,  # ⻟ 飠 eat three
    0x2EE0: 0x9963,  # ⻠ 饣 c-simplified eat
    0x2EE1: 0x29810,  # ⻡ 𩠐 head
    0x2EE2: 0x9A6C,  # ⻢ 马 c-simplified horse
    0x2EE3: 0x9AA8,  # ⻣ 骨 bone
    0x2EE4: 0x9B3C,  # ⻤ 鬼 ghost
    0x2EE5: 0x9C7C,  # ⻥ 鱼 c-simplified fish
    0x2EE6: 0x9E1F,  # ⻦ 鸟 c-simplified bird
    0x2EE7: 0x5364,  # ⻧ 卤 c-simplified salt
    0x2EE8: 0x9EA6,  # ⻨ 麦 simplified wheat
    0x2EE9: 0x9EC4,  # ⻩ 黄 simplified yellow
    0x2EEA: 0x9EFE,  # ⻪ 黾 c-simplified frog
    0x2EEB: 0x6589,  # ⻫ 斉 j-simplified even
    0x2EEC: 0x9F50,  # ⻬ 齐 c-simplified even
    0x2EED: 0x6B6F,  # ⻭ 歯 j-simplified tooth
    0x2EEE: 0x9F7F,  # ⻮ 齿 c-simplified tooth
    0x2EEF: 0x7ADC,  # ⻯ 竜 j-simplified dragon
    0x2EF0: 0x9F99,  # ⻰ 龙 c-simplified dragon
    0x2EF1: 0x9F9C,  # ⻱ 龜 turtle
    0x2EF2: 0x4E80,  # ⻲ 亀 j-simplified turtle
    0x2EF3: 0x9F9F,  # ⻳ 龟 c-simplified turtle
}
_RADICALS = str.maketrans(
    {
        **{
            code: unicodedata.normalize("NFKC", chr(code))
            for code in range(0x2F00, 0x2FE0)
            if unicodedata.category(chr(code)) != "Cn"
        },
        **{code: chr(ideograph) for code, ideograph in _SUPPLEMENT.items()},
        # ⼾ is NFKC's 戶, but the SC font draws it as 户 (门户网站, 住户).
        0x2F3E: "户",
    }
)


def unify_radicals(text: str) -> str:
    """``text`` with every Kangxi or supplementary CJK radical replaced by the
    ideograph it stands for: ``⼈⺠政府`` reads ``人民政府``."""
    return text.translate(_RADICALS)
