"""Reference data: Mongolia's 21 aimags and the 9 districts of Ulaanbaatar.

Plain data and one loader that takes the model class, so the data migration and the test
fixtures load the same rows.
"""

AIMAGS = [
    ("arkhangai", "Архангай", "Arkhangai"),
    ("bayan-ulgii", "Баян-Өлгий", "Bayan-Ölgii"),
    ("bayankhongor", "Баянхонгор", "Bayankhongor"),
    ("bulgan", "Булган", "Bulgan"),
    ("darkhan-uul", "Дархан-Уул", "Darkhan-Uul"),
    ("dornod", "Дорнод", "Dornod"),
    ("dornogovi", "Дорноговь", "Dornogovi"),
    ("dundgovi", "Дундговь", "Dundgovi"),
    ("govi-altai", "Говь-Алтай", "Govi-Altai"),
    ("govisumber", "Говьсүмбэр", "Govisümber"),
    ("khentii", "Хэнтий", "Khentii"),
    ("khovd", "Ховд", "Khovd"),
    ("khuvsgul", "Хөвсгөл", "Khövsgöl"),
    ("umnugovi", "Өмнөговь", "Ömnögovi"),
    ("orkhon", "Орхон", "Orkhon"),
    ("uvurkhangai", "Өвөрхангай", "Övörkhangai"),
    ("selenge", "Сэлэнгэ", "Selenge"),
    ("sukhbaatar", "Сүхбаатар", "Sükhbaatar"),
    ("tuv", "Төв", "Töv"),
    ("uvs", "Увс", "Uvs"),
    ("zavkhan", "Завхан", "Zavkhan"),
]

DISTRICTS = [
    ("baganuur", "Багануур", "Baganuur"),
    ("bagakhangai", "Багахангай", "Bagakhangai"),
    ("bayangol", "Баянгол", "Bayangol"),
    ("bayanzurkh", "Баянзүрх", "Bayanzürkh"),
    ("chingeltei", "Чингэлтэй", "Chingeltei"),
    ("khan-uul", "Хан-Уул", "Khan-Uul"),
    ("nalaikh", "Налайх", "Nalaikh"),
    ("songinokhairkhan", "Сонгинохайрхан", "Songinokhairkhan"),
    ("ub-sukhbaatar", "Сүхбаатар дүүрэг", "Sükhbaatar district"),
]


def regions_load(Region) -> int:
    """Create or update every region; returns how many there are."""
    for kind, rows in (("aimag", AIMAGS), ("district", DISTRICTS)):
        for code, name_mn, name_en in rows:
            Region.objects.update_or_create(
                code=code, defaults={"kind": kind, "name_mn": name_mn, "name_en": name_en}
            )
    return len(AIMAGS) + len(DISTRICTS)
