"""The demo catalogue: the centre's resident makers, their categories and their listings.

``manage.py seed_demo`` is the entry point. Everything here is drawn from one
``random.Random(seed)``, so a seed always yields the same catalogue on an empty database.
Listing images come from a small palette drawn once per leaf category and shared by many
listings, so that a hundred thousand listings need a few hundred image files, not a million.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from market.catalog.models import (
    Attribute,
    AttributeValue,
    Availability,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    ProductVariant,
)
from market.catalog.services import (
    product_image_generate_thumbnail,
    product_refresh_derived_fields,
)
from market.checkout.models import Checkout
from market.core.models import ExchangeRate
from market.core.services import exchange_rates_record_bulletin
from market.orders.models import Order
from market.sellers.models import Discipline, Seller, SellerStatus

BATCH_SIZE = 2000
IMAGES_PER_LEAF = 4
IMAGE_SIZE = 640
RATES_BULLETIN = Path(__file__).resolve().parent.parent / "core/fixtures/cbar-rates-2018-10-30.xml"

RGB = tuple[int, int, int]
Range = tuple[int, int]

# --- The tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    """A leaf category and how its listings look: names, prices, customs data, options."""

    slug: str
    name: str
    hs_code: str
    price: Range  # AZN, of the cheapest option
    weight: Range  # grams
    dims: tuple[Range, Range, Range]  # length, width, height in mm
    names: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # style, noun, detail
    materials: tuple[str, ...]
    techniques: tuple[str, ...]
    blurb: str  # first sentence of a description; {material} and {technique} are filled in
    options: str  # key of OPTIONS
    stock: int = 6  # the most a maker keeps of one option
    made_to_order: float = 0.0  # share of listings made to order
    processing: Range = (7, 30)  # working days when made to order
    editions: tuple[int, ...] = ()  # edition sizes, for numbered prints and pressings
    hs_by_word: tuple[tuple[str, str], ...] = ()  # a word in the name picks another HS code
    motif: str = ""  # key of MOTIFS when not the department's


@dataclass(frozen=True)
class Department:
    """A top-level category, with the colours its listings come in and its image motif."""

    slug: str
    name: str
    description: str
    motif: str  # key of MOTIFS
    hues: tuple[RGB, ...]
    colours: tuple[str, ...]
    leaves: tuple[Leaf, ...]


# Option sets of variants: name and price factor of each; sizes double as the Size attribute.
OPTIONS: dict[str, tuple[bool, tuple[tuple[str, float], ...]]] = {
    "rug": (True, (("80 × 120 cm", 1.0), ("120 × 180 cm", 1.7), ("170 × 240 cm", 2.6))),
    "runner": (True, (("70 × 200 cm", 1.0), ("80 × 300 cm", 1.4))),
    "scarf": (True, (("90 × 90 cm", 1.0), ("130 × 130 cm", 1.45), ("160 × 160 cm", 1.8))),
    "size": (True, (("Small", 1.0), ("Medium", 1.5), ("Large", 2.2))),
    "ring": (True, (("Size 16", 1.0), ("Size 17", 1.0), ("Size 18", 1.05))),
    "paper": (True, (("A4", 1.0), ("A3", 1.6), ("A2", 2.4))),
    "set": (False, (("Single piece", 1.0), ("Pair", 1.85), ("Set of six", 5.0))),
    "metal": (False, (("Plain", 1.0), ("Gilded", 1.5))),
    "finish": (False, (("Natural", 1.0), ("Oiled", 1.1), ("Lacquered", 1.25))),
    "record": (False, (("LP", 1.0), ("LP + download", 1.15), ("Signed LP", 1.6))),
    "grade": (False, (("Student", 1.0), ("Concert", 1.7), ("Master", 2.5))),
    "book": (False, (("Paperback", 1.0), ("Hardcover", 1.5), ("Signed hardcover", 2.1))),
    "edition": (False, (("Standard", 1.0), ("Deluxe", 1.7))),
    "paint": (False, (("Painted", 1.0), ("Unpainted kit", 0.6))),
    "pack": (False, (("Single", 1.0), ("Pack of three", 2.6))),
}

CARPETS = Department(
    "carpets-textiles",
    "Carpets & textiles",
    "Pile carpets, kilims and silk from the weaving schools of Quba, Shirvan, Ganja and Sheki.",
    "carpet",
    ((150, 30, 35), (32, 44, 96), (236, 226, 200), (214, 156, 44), (92, 56, 36), (22, 110, 112)),
    ("Madder red", "Indigo", "Ivory", "Saffron", "Walnut brown", "Teal"),
    (
        Leaf(
            "pile-carpets",
            "Pile carpets",
            "570110",
            (350, 1150),
            (4000, 16000),
            ((1200, 1700), (800, 1200), (8, 14)),
            (
                ("Quba", "Shirvan", "Karabakh", "Gazakh", "Ganja", "Baku", "Shusha"),
                ("carpet", "prayer rug", "pile rug", "carpet runner"),
                (
                    "with buta border",
                    "with ram's-horn medallion",
                    "with dragon motif",
                    "with pomegranate field",
                    "with star medallions",
                    "in natural dyes",
                ),
            ),
            ("Wool", "Silk", "Wool on cotton warp"),
            ("Hand-knotted",),
            "A {technique} carpet of {material}, dyed with madder, walnut husk and indigo "
            "the way Caucasian weavers have for centuries.",
            "rug",
            stock=2,
            made_to_order=0.35,
            processing=(30, 90),
        ),
        Leaf(
            "kilims",
            "Kilims",
            "570210",
            (120, 600),
            (1500, 6000),
            ((1200, 1800), (700, 1100), (3, 6)),
            (
                ("Quba", "Shirvan", "Gazakh", "Karabakh", "Sumakh-style"),
                ("kilim", "flat-woven rug", "kilim runner"),
                (
                    "with tree-of-life motif",
                    "in stepped diamonds",
                    "with S-hook border",
                    "in natural dyes",
                    "with running-water border",
                ),
            ),
            ("Wool", "Wool and cotton", "Goat hair"),
            ("Flat-woven", "Sumakh weave"),
            "A {technique} kilim in {material}, light enough to hang as well as to walk on.",
            "rug",
            stock=3,
            made_to_order=0.2,
            processing=(20, 60),
        ),
        Leaf(
            "silk-scarves-kelaghayi",
            "Silk scarves (kelaghayi)",
            "621410",
            (40, 150),
            (40, 120),
            ((250, 300), (200, 250), (10, 25)),
            (
                ("Sheki", "Basqal", "Festive", "Bridal"),
                ("kelaghayi", "silk kelaghayi", "kelaghayi shawl"),
                (
                    "with buta stamp",
                    "in saffron and black",
                    "in pomegranate red",
                    "with border of almonds",
                    "in ivory",
                ),
            ),
            ("Silk",),
            ("Block-printed", "Batik-dyed"),
            "A {technique} kelaghayi of pure {material}, the square headscarf on UNESCO's "
            "list of intangible heritage.",
            "scarf",
            stock=12,
            made_to_order=0.1,
        ),
        Leaf(
            "embroidery-tekalduz",
            "Embroidery (tekalduz)",
            "581099",
            (60, 420),
            (150, 900),
            ((300, 600), (300, 600), (5, 20)),
            (
                ("Sheki", "Shamakhi", "Velvet"),
                ("tekalduz panel", "tekalduz wall hanging", "embroidered cushion cover"),
                (
                    "with peacocks",
                    "with pomegranates",
                    "with birds of paradise",
                    "in gold thread",
                    "with tulips",
                ),
            ),
            ("Velvet", "Wool broadcloth", "Silk satin"),
            ("Hand-embroidered", "Tambour stitch"),
            "{technique} tekalduz on {material}, worked on a hoop stitch by stitch over weeks.",
            "size",
            stock=3,
            made_to_order=0.3,
            processing=(14, 45),
        ),
    ),
)

CERAMICS = Department(
    "ceramics",
    "Ceramics",
    "Wheel-thrown tableware and painted ceramics from studios in Baku and Lankaran.",
    "plate",
    ((40, 160, 170), (30, 60, 150), (190, 92, 52), (240, 230, 210), (200, 150, 60), (80, 130, 60)),
    ("Turquoise", "Cobalt blue", "Terracotta", "Cream", "Ochre", "Leaf green"),
    (
        Leaf(
            "ceramic-tableware",
            "Tableware",
            "691200",
            (15, 120),
            (250, 2500),
            ((120, 320), (120, 320), (40, 220)),
            (
                ("Hand-thrown", "Glazed", "Terracotta", "Turquoise-glazed", "Speckled"),
                (
                    "plate",
                    "bowl",
                    "tea cup with saucer",
                    "jug",
                    "armudu tea glass holder",
                    "serving dish",
                ),
                (
                    "with buta pattern",
                    "with lotus rim",
                    "with pomegranate",
                    "in crackle glaze",
                    "for plov",
                ),
            ),
            ("Stoneware", "Earthenware", "Porcelain"),
            ("Wheel-thrown", "Hand-built"),
            "{technique} in {material}, glazed in small batches and safe for daily use.",
            "set",
            stock=20,
        ),
        Leaf(
            "decorative-ceramics",
            "Decorative ceramics",
            "691390",
            (30, 360),
            (300, 4000),
            ((150, 450), (150, 450), (60, 500)),
            (
                ("Sgraffito", "Hand-painted", "Unglazed", "Lustre"),
                ("vase", "wall plate", "tile panel", "figurine", "lidded jar"),
                (
                    "with Gobustan dancers",
                    "with pomegranates",
                    "with Caspian waves",
                    "with Maiden Tower",
                    "with birds",
                ),
            ),
            ("Earthenware", "Stoneware", "Porcelain"),
            ("Hand-painted", "Sgraffito", "Wood-fired"),
            "A {technique} piece in {material}, each one fired in the studio's own kiln.",
            "size",
            stock=4,
            made_to_order=0.15,
        ),
    ),
)

JEWELLERY = Department(
    "jewellery",
    "Jewellery",
    "Silver filigree, gold and enamel from the zargar workshops of Baku and Sheki.",
    "jewel",
    ((26, 26, 36), (200, 200, 212), (212, 175, 55), (180, 50, 30), (60, 180, 180), (20, 70, 50)),
    ("Silver", "Gold", "Carnelian red", "Turquoise", "Emerald green", "Black"),
    (
        Leaf(
            "silver-jewellery",
            "Silver jewellery",
            "711311",
            (35, 360),
            (5, 90),
            ((20, 80), (15, 60), (5, 20)),
            (
                ("Filigree", "Engraved", "Niello", "Hammered"),
                ("ring", "earrings", "pendant", "bracelet", "brooch"),
                (
                    "with carnelian",
                    "with turquoise",
                    "with buta motif",
                    "with coral",
                    "with pomegranate drop",
                ),
            ),
            ("Silver 925",),
            ("Filigree", "Engraved", "Niello"),
            "{technique} jewellery in {material}, hallmarked and finished by hand.",
            "ring",
            stock=5,
            made_to_order=0.2,
            processing=(5, 15),
        ),
        Leaf(
            "gold-jewellery",
            "Gold jewellery",
            "711319",
            (250, 1250),
            (3, 40),
            ((15, 60), (10, 40), (3, 15)),
            (
                ("Gold", "Filigree gold", "Granulated gold"),
                ("earrings", "ring", "pendant", "bangle"),
                ("with garnet", "with pearl", "with pomegranate motif", "with almond drop"),
            ),
            ("Gold 585", "Gold 750"),
            ("Filigree", "Granulation", "Engraved"),
            "{technique} work in {material}, hallmarked, with a certificate of assay.",
            "ring",
            stock=2,
            made_to_order=0.4,
            processing=(10, 25),
        ),
        Leaf(
            "enamel-costume-jewellery",
            "Enamel & costume jewellery",
            "711719",
            (8, 65),
            (5, 60),
            ((20, 70), (15, 50), (3, 12)),
            (
                ("Enamel", "Brass", "Gilded", "Copper"),
                ("brooch", "earrings", "necklace", "cufflinks", "hair pin"),
                (
                    "with buta",
                    "with Maiden Tower",
                    "with tar",
                    "with pomegranate",
                    "with Flame Towers",
                ),
            ),
            ("Brass", "Copper", "Silver-plated brass"),
            ("Cloisonné enamel", "Cast", "Painted enamel"),
            "{technique} pieces in {material}: light, bright and made in small runs.",
            "pack",
            stock=30,
        ),
    ),
)

COPPER = Department(
    "copperware",
    "Copperware",
    "Hand-hammered copper from Lahij, the mountain village of coppersmiths.",
    "copper",
    ((184, 115, 51), (120, 65, 30), (200, 160, 80), (70, 140, 120), (40, 35, 30)),
    ("Copper", "Tin white", "Patina green", "Brass yellow"),
    (
        Leaf(
            "copper-tableware",
            "Copper tableware",
            "741810",
            (30, 420),
            (400, 4000),
            ((150, 500), (150, 500), (40, 350)),
            (
                ("Lahij", "Hand-hammered", "Heirloom", "Engraved"),
                ("sini tray", "aftafa ewer", "qazan pot", "teapot", "bowl", "sahan dish"),
                (
                    "with floral engraving",
                    "with tin lining",
                    "with Lahij hallmark",
                    "with buta chasing",
                ),
            ),
            ("Copper", "Copper and brass"),
            ("Hand-hammered", "Engraved", "Chased"),
            "{technique} {material}, raised from one sheet and tin-lined for food.",
            "size",
            stock=4,
            made_to_order=0.25,
            processing=(10, 30),
        ),
        Leaf(
            "decorative-copper",
            "Decorative copper",
            "830629",
            (40, 620),
            (300, 5000),
            ((150, 600), (150, 600), (40, 700)),
            (
                ("Lahij", "Engraved", "Patinated", "Pierced"),
                ("wall plate", "lantern", "vase", "candlestick", "incense burner"),
                (
                    "with hunting scene",
                    "with calligraphy",
                    "with geometric stars",
                    "with pomegranates",
                ),
            ),
            ("Copper", "Copper and brass"),
            ("Engraved", "Pierced", "Chased"),
            "{technique} {material} in the Lahij manner, signed by the smith.",
            "size",
            stock=3,
            made_to_order=0.25,
            processing=(10, 40),
        ),
    ),
)

WOOD = Department(
    "woodwork",
    "Woodwork",
    "Carved walnut, inlaid nard boards and the stained-glass lattices of Sheki.",
    "lattice",
    ((95, 60, 35), (200, 140, 60), (170, 30, 40), (40, 70, 160), (230, 160, 30), (40, 130, 70)),
    ("Walnut brown", "Honey", "Ruby glass", "Blue glass", "Amber", "Green glass"),
    (
        Leaf(
            "boxes-carvings",
            "Boxes & carvings",
            "442090",
            (25, 260),
            (200, 2500),
            ((120, 400), (90, 300), (40, 150)),
            (
                ("Walnut", "Mulberry-wood", "Plane-tree", "Carved"),
                ("jewellery box", "spice box", "carved panel", "tea tray", "bookends"),
                (
                    "with geometric inlay",
                    "with buta carving",
                    "with brass corners",
                    "with mother-of-pearl inlay",
                ),
            ),
            ("Walnut", "Mulberry", "Plane tree"),
            ("Hand-carved", "Inlaid", "Turned"),
            "{technique} {material}, cut from local timber seasoned for years.",
            "finish",
            stock=6,
            made_to_order=0.2,
        ),
        Leaf(
            "shebeke-panels",
            "Shebeke panels",
            "442090",
            (150, 1500),
            (1500, 12000),
            ((400, 1200), (300, 900), (30, 60)),
            (
                ("Sheki", "Palace-style", "Small"),
                ("shebeke window panel", "shebeke lamp", "shebeke mirror frame", "shebeke screen"),
                (
                    "in red and blue glass",
                    "with eight-point stars",
                    "in amber glass",
                    "after the Khan's Palace",
                ),
            ),
            ("Walnut and glass", "Beech and glass"),
            ("Shebeke joinery",),
            "{technique} in {material}: thousands of pieces fitted without glue or nails.",
            "size",
            stock=2,
            made_to_order=0.6,
            processing=(30, 90),
        ),
        Leaf(
            "nard-boards",
            "Nard boards",
            "950490",
            (80, 720),
            (1500, 5000),
            ((480, 560), (280, 320), (60, 90)),
            (
                ("Walnut", "Inlaid", "Travel", "Carved"),
                ("nard board", "backgammon set"),
                (
                    "with mother-of-pearl inlay",
                    "with carved lid",
                    "with bone checkers",
                    "with buta corners",
                ),
            ),
            ("Walnut", "Mulberry", "Walnut and bone"),
            ("Hand-carved", "Marquetry-inlaid"),
            "A {technique} board in {material}, checkers and dice included.",
            "finish",
            stock=4,
            made_to_order=0.25,
            processing=(15, 40),
        ),
    ),
)

MUSIC = Department(
    "music",
    "Music",
    "Mugham and jazz on vinyl, sheet music and instruments from the luthiers of Shusha.",
    "record",
    ((22, 22, 22), (160, 30, 50), (210, 170, 40), (90, 150, 200), (236, 226, 200)),
    ("Black", "Pomegranate red", "Mustard", "Sky blue", "Natural wood"),
    (
        Leaf(
            "vinyl-records",
            "Vinyl records",
            "852380",
            (25, 60),
            (180, 320),
            ((315, 315), (315, 315), (3, 10)),
            (
                ("Mugham", "Jazz-mugham", "Ashiq", "Electronic", "Folk"),
                ("sessions", "live at the centre", "on tar and kamancha", "remixes", "from Shusha"),
                ("vol. 1", "vol. 2", "vol. 3", "(180 g)", "(double LP)"),
            ),
            ("Vinyl",),
            ("Pressed", "Half-speed mastered"),
            "{technique} on heavy {material} from the original tapes, with liner notes "
            "in Azerbaijani and English.",
            "record",
            stock=40,
            editions=(300, 500, 1000),
        ),
        Leaf(
            "string-instruments",
            "String instruments",
            "920290",
            (200, 1200),
            (800, 4500),
            ((850, 1250), (200, 380), (120, 220)),
            (
                ("Concert", "Student", "Master", "Karabakh"),
                ("tar", "kamancha", "saz", "oud", "qanun"),
                (
                    "in mulberry wood",
                    "with mother-of-pearl inlay",
                    "with hard case",
                    "with walnut neck",
                ),
            ),
            ("Mulberry", "Walnut", "Apricot wood"),
            ("Hand-carved", "Luthier-built"),
            "A {technique} instrument in {material}, set up and tuned before it ships.",
            "grade",
            stock=2,
            made_to_order=0.45,
            processing=(30, 90),
            hs_by_word=(("kamancha", "920210"),),
            motif="strings",
        ),
        Leaf(
            "percussion",
            "Percussion",
            "920600",
            (60, 450),
            (600, 4000),
            ((300, 550), (300, 550), (150, 450)),
            (
                ("Concert", "Wedding", "Student", "Ceremonial"),
                ("naghara drum", "gaval frame drum", "goltug naghara", "qosha naghara pair"),
                ("in goat skin", "with walnut shell", "with brass rings", "with carry bag"),
            ),
            ("Walnut", "Goat skin", "Mulberry"),
            ("Hand-stretched", "Turned"),
            "A {technique} drum of {material}, tuned by the maker by ear.",
            "grade",
            stock=3,
            made_to_order=0.3,
            processing=(15, 45),
            motif="drum",
        ),
        Leaf(
            "wind-instruments",
            "Wind instruments",
            "920590",
            (40, 260),
            (80, 600),
            ((280, 450), (30, 60), (30, 60)),
            (
                ("Apricot-wood", "Concert", "Student", "Mulberry"),
                ("balaban", "zurna", "tutek"),
                ("in A", "in G", "in B-flat", "with spare reeds"),
            ),
            ("Apricot wood", "Mulberry", "Walnut"),
            ("Turned", "Hand-bored"),
            "A {technique} instrument in {material}, voiced and played in before sale.",
            "grade",
            stock=5,
            made_to_order=0.2,
            motif="pipe",
        ),
        Leaf(
            "sheet-music",
            "Sheet music",
            "490400",
            (8, 45),
            (150, 800),
            ((297, 310), (210, 230), (3, 20)),
            (
                ("Uzeyir Hajibeyli", "Gara Garayev", "Fikret Amirov", "Mugham"),
                (
                    "piano pieces",
                    "songs for voice",
                    "tar method",
                    "string quartets",
                    "dastgah transcriptions",
                ),
                ("", "(new edition)", "(annotated)", "(urtext)"),
            ),
            ("Paper",),
            ("Engraved", "Offset-printed"),
            "{technique} scores on acid-free {material}, edited with the conservatoire.",
            "book",
            stock=25,
            motif="score",
        ),
    ),
)

PRINTS = Department(
    "design-prints",
    "Design prints",
    "Art prints, posters, maps and calligraphy by the centre's illustrators and designers.",
    "print",
    ((20, 90, 140), (230, 100, 40), (225, 205, 160), (30, 30, 40), (210, 120, 130), (110, 120, 50)),
    ("Caspian blue", "Flame orange", "Sand", "Ink black", "Rose", "Olive"),
    (
        Leaf(
            "art-prints",
            "Art prints",
            "491191",
            (20, 180),
            (60, 400),
            ((300, 620), (210, 440), (2, 5)),
            (
                ("Risograph", "Giclée", "Linocut", "Screen"),
                ("print", "art print"),
                (
                    "'Old City at dusk'",
                    "'Caspian blue'",
                    "'Flame Towers'",
                    "'Shusha in spring'",
                    "'Khan's Palace'",
                    "'Pomegranate'",
                    "'Gobustan'",
                    "'Absheron wind'",
                ),
            ),
            ("Cotton rag paper", "Recycled paper"),
            ("Risograph", "Giclée", "Linocut", "Screen-printed"),
            "{technique} on {material}, signed by the artist.",
            "paper",
            stock=25,
            editions=(25, 50, 100, 150),
        ),
        Leaf(
            "posters",
            "Posters",
            "491199",
            (10, 45),
            (60, 250),
            ((420, 700), (297, 500), (2, 3)),
            (
                ("Film", "Festival", "Typographic", "Retro"),
                ("poster",),
                (
                    "'Mugham night'",
                    "'Novruz'",
                    "'Baku metro'",
                    "'Caspian 1930'",
                    "'Jazz in Baku'",
                    "'Silk Road'",
                ),
            ),
            ("Matte paper", "Recycled paper"),
            ("Offset-printed", "Screen-printed"),
            "{technique} on {material}, rolled in a tube for shipping.",
            "paper",
            stock=60,
            editions=(100, 250, 500),
        ),
        Leaf(
            "maps-calligraphy",
            "Maps & calligraphy",
            "490599",
            (15, 120),
            (60, 300),
            ((300, 620), (210, 440), (2, 5)),
            (
                ("Hand-lettered", "Historical", "Illustrated"),
                ("map of Baku", "map of the Silk Road", "calligraphy print", "alphabet poster"),
                ("in Latin script", "in Arabic script", "after a 1900 survey", "in gold ink"),
            ),
            ("Cotton rag paper", "Handmade paper"),
            ("Hand-lettered", "Giclée"),
            "{technique} on {material}, drawn from archive sources.",
            "paper",
            stock=20,
            editions=(50, 100),
            hs_by_word=(("calligraphy", "491191"), ("alphabet", "491191")),
        ),
    ),
)

ANIMATION = Department(
    "animation-game-art",
    "Animation & game art",
    "Art books, figures, pins and games from the centre's animation and game studios.",
    "pixels",
    ((250, 200, 40), (240, 80, 80), (60, 180, 240), (120, 200, 90), (40, 40, 70), (250, 250, 245)),
    ("Sunflower", "Coral", "Sky blue", "Lime", "Night blue", "White"),
    (
        Leaf(
            "art-books",
            "Art books",
            "490199",
            (25, 95),
            (400, 1800),
            ((240, 310), (200, 240), (10, 30)),
            (
                ("The art of", "Sketches from", "Drawing"),
                ("Jirtdan", "Simurgh", "The Seven Beauties", "Caravanserai", "Dede Gorgud"),
                ("", "(artbook)", "(storyboards)", "(sketchbook)"),
            ),
            ("Coated paper",),
            ("Offset-printed",),
            "{technique} on {material}: concept art, storyboards and notes from the studio.",
            "book",
            stock=30,
        ),
        Leaf(
            "figurines",
            "Figurines",
            "392640",
            (15, 160),
            (80, 900),
            ((60, 220), (60, 180), (80, 300)),
            (
                ("Resin", "Hand-painted", "Mini", "Collector's"),
                (
                    "Jirtdan figure",
                    "Div figurine",
                    "Simurgh figure",
                    "Gobustan petroglyph replica",
                    "Dede Gorgud figure",
                ),
                ("", "with base", "glow-in-the-dark", "limited colourway"),
            ),
            ("Resin", "Polyresin"),
            ("Cast", "3D-printed"),
            "{technique} in {material}, sculpted and painted in the studio.",
            "paint",
            stock=15,
            editions=(100, 250, 500),
        ),
        Leaf(
            "enamel-pins",
            "Enamel pins",
            "711719",
            (5, 18),
            (10, 40),
            ((25, 60), (25, 60), (2, 6)),
            (
                ("Enamel", "Glitter", "Glow-in-the-dark", "Hard-enamel"),
                ("pin",),
                (
                    "'Jirtdan'",
                    "'Pixel buta'",
                    "'Level up'",
                    "'Baku 8-bit'",
                    "'Tar hero'",
                    "'Simurgh'",
                ),
            ),
            ("Enamel on iron", "Enamel on brass"),
            ("Die-struck", "Soft enamel"),
            "{technique}, {material}: small enough for a jacket, a bag or a lanyard.",
            "pack",
            stock=80,
        ),
        Leaf(
            "board-games",
            "Board games",
            "950490",
            (35, 140),
            (600, 2500),
            ((250, 300), (250, 300), (50, 100)),
            (
                ("Caravanserai", "Silk Road", "Seven Beauties", "Old City"),
                ("board game", "card game", "dice game"),
                ("", "deluxe edition", "travel edition", "with expansion"),
            ),
            ("Cardboard and wood",),
            ("Offset-printed", "Laser-cut"),
            "{technique} components in {material}, for two to five players.",
            "edition",
            stock=25,
        ),
    ),
)

FASHION = Department(
    "fashion-accessories",
    "Fashion & accessories",
    "Bags, knitwear and accessories that carry carpet patterns into everyday use.",
    "stripes",
    ((120, 120, 120), (236, 226, 200), (130, 80, 45), (150, 30, 35), (32, 44, 96), (214, 156, 44)),
    ("Felt grey", "Natural wool", "Leather brown", "Madder red", "Indigo", "Mustard"),
    (
        Leaf(
            "bags-leather",
            "Bags & leather",
            "420221",
            (40, 360),
            (200, 1500),
            ((250, 450), (80, 150), (200, 400)),
            (
                ("Leather", "Kilim", "Felt", "Saddle-stitched"),
                ("tote", "satchel", "wallet", "backpack", "card holder"),
                ("with buta stamp", "with carpet panel", "with brass buckle", ""),
            ),
            ("Leather", "Kilim and leather", "Felt"),
            ("Hand-stitched", "Tooled"),
            "{technique} in {material}, cut and sewn by one maker.",
            "size",
            stock=6,
            made_to_order=0.2,
            hs_by_word=(("kilim", "420222"), ("felt", "420222")),
        ),
        Leaf(
            "knitwear",
            "Knitwear",
            "611594",
            (12, 95),
            (60, 400),
            ((200, 300), (100, 200), (20, 40)),
            (
                ("Hand-knitted", "Wool", "Quba-pattern"),
                ("jorab socks", "scarf", "mittens", "hat"),
                ("", "in natural wool", "with carpet pattern", "with buta"),
            ),
            ("Sheep wool", "Mohair", "Wool and silk"),
            ("Hand-knitted",),
            "{technique} from {material}, spun and dyed by hand.",
            "size",
            stock=10,
            hs_by_word=(("scarf", "611720"), ("mittens", "611691"), ("hat", "650500")),
        ),
    ),
)

DEPARTMENTS = (CARPETS, CERAMICS, JEWELLERY, COPPER, WOOD, MUSIC, PRINTS, ANIMATION, FASHION)
LEAVES = {leaf.slug: (department, leaf) for department in DEPARTMENTS for leaf in department.leaves}


@dataclass(frozen=True)
class Maker:
    """A seller in the demo: its shop, the people who make its listings, and what it sells."""

    name: str
    discipline: Discipline
    city: str
    bio: str
    makers: tuple[str, ...]
    leaves: tuple[str, ...]
    weight: int = 2  # share of the catalogue
    country: str = "AZ"
    is_resident: bool = True


MAKERS = (
    Maker(
        "Buta Carpet Atelier",
        Discipline.CRAFTS,
        "Baku",
        "Weavers of Quba and Shirvan carpets working from a loom room in the old city. "
        "Every carpet is knotted by hand from wool the atelier dyes itself.",
        ("Aysel Mammadova", "Gunel Hasanova", "Sevinj Karimova"),
        ("pile-carpets", "kilims"),
        weight=3,
    ),
    Maker(
        "Quba Loom Cooperative",
        Discipline.CRAFTS,
        "Quba",
        "Twelve weavers from the villages around Quba who share looms, dyes and a shop. "
        "They keep the region's flat-weaves and pile patterns alive.",
        ("Zarifa Bagirova", "Lala Aghayeva"),
        ("kilims", "pile-carpets", "knitwear"),
        weight=3,
    ),
    Maker(
        "Sheki Silk House",
        Discipline.FASHION,
        "Sheki",
        "Kelaghayi printers and tekalduz embroiderers from the silk town of Sheki, "
        "working with silk reeled a few streets away.",
        ("Nigar Huseynova", "Ulviyya Mustafayeva"),
        ("silk-scarves-kelaghayi", "embroidery-tekalduz"),
    ),
    Maker(
        "Lahij Copper Works",
        Discipline.CRAFTS,
        "Lahij",
        "A family of coppersmiths in the mountain village of Lahij, hammering trays and "
        "ewers the way their grandfathers did.",
        ("Ilgar Hajiyev", "Ramil Akhundov"),
        ("copper-tableware", "decorative-copper"),
    ),
    Maker(
        "Gil-Od Ceramics Studio",
        Discipline.CRAFTS,
        "Baku",
        "Clay and fire: a studio of three potters making tableware for daily use "
        "and painted pieces for the wall.",
        ("Leyla Abbasova", "Emin Najafov"),
        ("ceramic-tableware", "decorative-ceramics"),
    ),
    Maker(
        "Zargar Jewellery Studio",
        Discipline.CRAFTS,
        "Baku",
        "Silver filigree and gold granulation by jewellers trained in the zargar tradition.",
        ("Samir Askerov", "Aynur Salimova"),
        ("silver-jewellery", "gold-jewellery", "enamel-costume-jewellery"),
        weight=3,
    ),
    Maker(
        "Shusha Instrument Workshop",
        Discipline.MUSIC,
        "Shusha",
        "Luthiers building tar, kamancha and naghara in the city that gave Azerbaijan "
        "its mugham singers.",
        ("Vugar Gasimov", "Kamran Safarov"),
        ("string-instruments", "percussion", "wind-instruments"),
    ),
    Maker(
        "Mugham Press Records",
        Discipline.MUSIC,
        "Baku",
        "An independent label pressing mugham, jazz-mugham and new Azerbaijani music "
        "on vinyl, and publishing the scores.",
        ("Tural Jafarov", "Konul Shirinova"),
        ("vinyl-records", "sheet-music"),
    ),
    Maker(
        "Icherisheher Print Co.",
        Discipline.DESIGN,
        "Baku",
        "A risograph studio inside the old city walls printing posters, maps and "
        "prints by Azerbaijani illustrators.",
        ("Narmin Rzayeva", "Orkhan Babayev"),
        ("art-prints", "posters", "maps-calligraphy"),
    ),
    Maker(
        "Pixel Caravan Games",
        Discipline.GAME_TECH,
        "Baku",
        "A game studio that turns Silk Road stories into board games, pins and figures.",
        ("Javid Valiyev", "Sabina Mirzayeva"),
        ("board-games", "enamel-pins", "figurines"),
    ),
    Maker(
        "Jirtdan Animation Studio",
        Discipline.FILM_ANIMATION,
        "Baku",
        "Animators bringing Azerbaijani folk tales to the screen; the shop sells their "
        "art books, posters and figures.",
        ("Farid Ismayilov", "Gunay Aliyeva"),
        ("art-books", "figurines", "posters"),
    ),
    Maker(
        "Ganja Woodcraft",
        Discipline.CRAFTS,
        "Ganja",
        "Carvers and joiners working walnut and mulberry from the orchards around Ganja.",
        ("Elvin Guliyev", "Rashad Aliyev"),
        ("boxes-carvings", "nard-boards"),
    ),
    Maker(
        "Shebeke Lab",
        Discipline.CRAFTS,
        "Sheki",
        "Masters of shebeke, the glue-free lattice of wood and coloured glass of the "
        "Khan's Palace, making panels and lamps for modern homes.",
        ("Mahammad Karimli",),
        ("shebeke-panels", "boxes-carvings"),
        weight=1,
    ),
    Maker(
        "Gobustan Lab",
        Discipline.CULTURE_TECH,
        "Baku",
        "Heritage technologists scanning petroglyphs and manuscripts and turning them "
        "into replicas, maps and prints.",
        ("Aydan Quliyeva", "Nijat Mammadli"),
        ("figurines", "maps-calligraphy", "art-prints"),
        weight=1,
    ),
    Maker(
        "Hirkan Ink Studio",
        Discipline.VISUAL_ARTS,
        "Lankaran",
        "Prints of the Hyrcanian forest and the tea gardens of the south, "
        "by a printmaker who is not (yet) a resident of the centre.",
        ("Ulvi Talishinski",),
        ("art-prints", "posters"),
        weight=1,
        is_resident=False,
    ),
    Maker(
        "Tbilisi Felt Collective",
        Discipline.FASHION,
        "Tbilisi",
        "Felt makers and leatherworkers from across the border, guests of the centre's "
        "Caucasus crafts exchange.",
        ("Nino Beridze", "Tamar Kapanadze"),
        ("bags-leather", "knitwear"),
        weight=1,
        country="GE",
        is_resident=False,
    ),
)

MAKER_LINES = (
    "Made by {maker} of {seller} in {city}.",
    "{maker} made it at the {seller} workshop in {city}.",
    "From {seller} in {city}; the maker, {maker}, signs every piece.",
    "Designed and made in {city} by {maker} ({seller}).",
)
CLOSING_LINES = (
    "Ships within {days} working days, packed for export with its customs papers.",
    "Every piece differs a little from the photos: that is the handwork.",
    "Comes with a certificate of origin for customs.",
    "Ready to ship in {days} working days.",
)

# --- Building --------------------------------------------------------------------------------


@dataclass
class DemoSummary:
    sellers: int = 0
    categories: int = 0
    attribute_values: int = 0
    products: int = 0
    variants: int = 0
    images: int = 0
    image_files: int = 0
    rates: list[ExchangeRate] = field(default_factory=list)


def demo_catalogue_reset() -> list[str]:
    """Delete orders, checkouts, listings, categories, attributes, sellers and exchange rates.

    Returns the names of the image files the deleted listings used, for the caller to remove
    from storage once the deletion is committed.
    """
    files = set()
    for image_name, thumbnail_name in ProductImage.objects.values_list(
        "image", "thumbnail"
    ).distinct():
        files.update(name for name in (image_name, thumbnail_name) if name)
    # Orders keep their sellers (protected): a demo reset starts the shop over entirely.
    Order.objects.all().delete()
    Checkout.objects.all().delete()
    Product.objects.only("pk").delete()
    # Categories protect their children: remove the leaves first, level by level.
    while Category.objects.exists():
        Category.objects.filter(children__isnull=True).delete()
    Attribute.objects.all().delete()
    Seller.objects.all().delete()
    ExchangeRate.objects.all().delete()
    return sorted(files)


def demo_files_delete(*, names: list[str]) -> None:
    storage = ProductImage._meta.get_field("image").storage
    for name in names:
        storage.delete(name)


# The sample bulletin's figures are from 2018; its rows say so in their source.
DEMO_RATES_SOURCE = "cbar.az sample of 2018-10-30"


def demo_rates_record() -> list[ExchangeRate]:
    """The rates of the sample CBAR bulletin, so that prices can be shown in other currencies.

    They are dated when the demo is seeded, not 2018: a fresh demo must not report its rates
    as stale (the worker cannot be expected to reach cbar.az). The source names the sample, so
    a conversion never passes the old figures off as today's bank rate; the first real
    bulletin the worker fetches is newer and takes over."""
    return exchange_rates_record_bulletin(
        xml=RATES_BULLETIN.read_bytes(), source=DEMO_RATES_SOURCE, valid_at=timezone.now()
    )


DEMO_ADMIN_EMAIL = "admin@example.com"


def demo_admin_ensure(*, email: str = DEMO_ADMIN_EMAIL, password: str = "admin") -> bool:
    """Create the demo's superuser unless a user with that e-mail exists; True when created."""
    users = get_user_model()
    if users.objects.filter(email=email).exists():
        return False
    users.objects.create_superuser(email=email, password=password)
    return True


# Every demo maker signs in with this password; the README lists the sign-ins.
DEMO_MAKER_PASSWORD = "maker-demo"
DEMO_MAKER_EMAIL_DOMAIN = "makers.example.com"


def demo_maker_email(seller: Seller) -> str:
    return f"{seller.slug}@{DEMO_MAKER_EMAIL_DOMAIN}"


def demo_maker_accounts_ensure(*, password: str = DEMO_MAKER_PASSWORD) -> list[str]:
    """Give every demo shop without an owner a verified user who signs in as
    ``<shop slug>@makers.example.com`` with ``password``, so that the demo's seller
    operations (listings, shipping orders, payouts) can be tried. Shops that have an owner
    keep it, and a user of that address made earlier is linked again, with its password;
    returns the e-mail addresses of the accounts created."""
    users = get_user_model()
    created = []
    for seller, maker in zip(*_with_makers(demo_sellers().filter(user__isnull=True)), strict=True):
        email = demo_maker_email(seller)
        user = users.objects.filter(email=email).first()
        if user is None:
            first_name, _, last_name = maker.makers[0].partition(" ")
            user = users.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_email_verified=True,
            )
            created.append(email)
        elif Seller.objects.filter(user=user).exists():
            continue  # that address owns another shop: leave both alone
        # (An existing user is the same maker's, left by ``seed_demo --reset``.)
        seller.user = user
        seller.contact_email = seller.contact_email or email
        seller.save(update_fields=["user", "contact_email"])
    return created


def demo_sellers() -> QuerySet[Seller]:
    """The demo's shops (those of ``MAKERS``)."""
    return Seller.objects.filter(slug__in=[slugify(maker.name) for maker in MAKERS])


def demo_admin():
    """The demo's superuser, when there is one."""
    return get_user_model().objects.filter(email=DEMO_ADMIN_EMAIL).first()


def _with_makers(sellers) -> tuple[list[Seller], list[Maker]]:
    by_slug = {slugify(maker.name): maker for maker in MAKERS}
    sellers = list(sellers.order_by("pk"))
    return sellers, [by_slug[seller.slug] for seller in sellers]


def demo_tables_analyze() -> None:
    """After a bulk load on PostgreSQL, give the planner statistics and drop the row versions
    that the derived-field refresh left behind; without this the first listings are slow."""
    if connection.vendor != "postgresql":
        return
    models = (
        Seller,
        Category,
        Product,
        ProductVariant,
        ProductImage,
        Product.attribute_values.through,
    )
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    # VACUUM cannot run inside a transaction (e.g. when a test calls the command).
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")


def demo_catalogue_create(
    *, seed: int, products: int, progress: Callable[[int], None] | None = None
) -> DemoSummary:
    """Create (or update) the demo sellers, categories and attributes and add ``products``
    listings to them; the same seed on an empty database gives the same catalogue."""
    builder = _Builder(seed=seed, progress=progress or (lambda n: None))
    return builder.build(products=products)


class _Builder:
    def __init__(self, *, seed: int, progress: Callable[[int], None]):
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = timezone.now()
        self.summary = DemoSummary()

    def build(self, *, products: int) -> DemoSummary:
        self.sellers = self._sellers()
        self.seller_weights = list(itertools.accumulate(m.weight for _, m in self.sellers))
        self.categories = self._categories()
        self.values = self._attribute_values()
        self.palette: dict[str, list[str]] = {}
        self.font = ImageFont.load_default(size=34)
        self.slugs = set(Product.objects.values_list("slug", flat=True))
        self.skus = set(ProductVariant.objects.values_list("sku", flat=True))
        self.first_use: dict[str, int] = {}  # image file -> first ProductImage row showing it
        start = Product.objects.count() + 1
        for batch_start in range(0, products, BATCH_SIZE):
            count = min(BATCH_SIZE, products - batch_start)
            self._create_batch(range(start + batch_start, start + batch_start + count))
            self.progress(count)
        self._thumbnails()
        product_refresh_derived_fields(product_ids=None)
        return self.summary

    # Reference data: looked up by slug so that a second run extends the same shops.

    def _sellers(self) -> list[tuple[Seller, Maker]]:
        sellers = []
        for maker in MAKERS:
            seller, _ = Seller.objects.update_or_create(
                slug=slugify(maker.name),
                defaults={
                    "name": maker.name,
                    "bio": maker.bio,
                    "discipline": maker.discipline,
                    "city": maker.city,
                    "country": maker.country,
                    "is_resident": maker.is_resident,
                    "status": SellerStatus.APPROVED,
                },
            )
            sellers.append((seller, maker))
        self.summary.sellers = len(sellers)
        return sellers

    def _categories(self) -> dict[str, Category]:
        categories = {}
        for order, department in enumerate(DEPARTMENTS):
            parent, _ = Category.objects.update_or_create(
                slug=department.slug,
                defaults={
                    "name": department.name,
                    "description": department.description,
                    "parent": None,
                    "sort_order": order,
                },
            )
            for leaf_order, leaf in enumerate(department.leaves):
                categories[leaf.slug], _ = Category.objects.update_or_create(
                    slug=leaf.slug,
                    defaults={"name": leaf.name, "parent": parent, "sort_order": leaf_order},
                )
        self.summary.categories = len(categories) + len(DEPARTMENTS)
        return categories

    def _attribute_values(self) -> dict[tuple[str, str], AttributeValue]:
        names: dict[str, set[str]] = {
            "material": set(),
            "technique": set(),
            "colour": set(),
            "size": set(),
        }
        for department in DEPARTMENTS:
            names["colour"].update(department.colours)
            for leaf in department.leaves:
                names["material"].update(leaf.materials)
                names["technique"].update(leaf.techniques)
                is_size, options = OPTIONS[leaf.options]
                if is_size:
                    names["size"].update(option for option, _ in options)
        attributes = {}
        for order, slug in enumerate(names):
            attributes[slug], _ = Attribute.objects.update_or_create(
                slug=slug, defaults={"name": slug.capitalize(), "sort_order": order}
            )
        AttributeValue.objects.bulk_create(
            [
                AttributeValue(attribute=attributes[slug], name=name, slug=slugify(name))
                for slug, values in names.items()
                for name in sorted(values)
            ],
            ignore_conflicts=True,
        )
        values = {
            (value.attribute.slug, value.name): value
            for value in AttributeValue.objects.filter(
                attribute__in=attributes.values()
            ).select_related("attribute")
        }
        self.summary.attribute_values = len(values)
        return values

    def _palette(self, department: Department, leaf: Leaf) -> list[str]:
        """The stored images of a leaf category, drawn on first use; its listings share them."""
        if leaf.slug not in self.palette:
            field_ = ProductImage._meta.get_field("image")
            rng = random.Random(f"{self.seed}:{leaf.slug}")  # same drawings in any order
            names = []
            for number in range(1, IMAGES_PER_LEAF + 1):
                data = _draw(department=department, leaf=leaf, rng=rng, font=self.font)
                name = field_.generate_filename(None, f"demo-{leaf.slug}-{number}.jpg")
                names.append(field_.storage.save(name, ContentFile(data)))
            self.palette[leaf.slug] = names
            self.summary.image_files += len(names)
        return self.palette[leaf.slug]

    # Listings.

    def _create_batch(self, numbers: range) -> None:
        drafts = [self._listing(number) for number in numbers]
        created = Product.objects.bulk_create(
            [draft.product for draft in drafts], batch_size=BATCH_SIZE
        )
        variants, links, images = [], [], []
        through = Product.attribute_values.through
        for draft, product in zip(drafts, created, strict=True):
            for variant in draft.variants:
                variant.product_id = product.pk
                variants.append(variant)
            links.extend(
                through(product_id=product.pk, attributevalue_id=value.pk) for value in draft.values
            )
            for image in draft.images:
                image.product_id = product.pk
                images.append(image)
        ProductVariant.objects.bulk_create(variants, batch_size=BATCH_SIZE)
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)
        ProductImage.objects.bulk_create(images, batch_size=BATCH_SIZE)
        for image in images:
            self.first_use.setdefault(image.image.name, image.pk)
        self.summary.products += len(created)
        self.summary.variants += len(variants)
        self.summary.images += len(images)

    def _listing(self, number: int) -> _Draft:
        rng = self.rng
        seller, maker = rng.choices(self.sellers, cum_weights=self.seller_weights)[0]
        department, leaf = LEAVES[rng.choice(maker.leaves)]
        name = " ".join(word for word in (rng.choice(part) for part in leaf.names) if word)
        material, technique = rng.choice(leaf.materials), rng.choice(leaf.techniques)
        person = rng.choice(maker.makers)

        made_to_order = rng.random() < leaf.made_to_order
        days = rng.randint(*leaf.processing) if made_to_order else rng.randint(1, 3)
        edition_size = edition_number = None
        if leaf.editions and rng.random() < 0.7:
            edition_size = rng.choice(leaf.editions)
            edition_number = rng.randint(1, edition_size)

        published_at = None
        if rng.random() >= 0.02:  # a few drafts, still being written up
            published_at = self.now - dt.timedelta(seconds=rng.uniform(0, 365 * 24 * 3600))
        year = (published_at or self.now).year - rng.choice((0, 0, 0, 1, 1, 2))

        lines = [
            leaf.blurb.format(material=_in_sentence(material), technique=_in_sentence(technique)),
            rng.choice(MAKER_LINES).format(maker=person, seller=maker.name, city=maker.city),
        ]
        if made_to_order:
            lines.append(f"Made to order: allow about {days} working days before it ships.")
        elif edition_size:
            lines.append(f"Numbered edition of {edition_size}; this is number {edition_number}.")
        else:
            lines.append(rng.choice(CLOSING_LINES).format(days=days))
        lines[0] = lines[0][0].upper() + lines[0][1:]

        weight = rng.randint(*leaf.weight)
        length, width, height = (rng.randint(*bounds) for bounds in leaf.dims)
        product = Product(
            seller=seller,
            category=self.categories[leaf.slug],
            name=name,
            slug=_unique(f"{slugify(name)[:200]}-{number}", self.slugs),
            description=" ".join(lines),
            status=ProductStatus.PUBLISHED if published_at else ProductStatus.DRAFT,
            published_at=published_at,
            maker_name=person,
            made_year=year,
            availability=(
                Availability.MADE_TO_ORDER if made_to_order else Availability.READY_TO_SHIP
            ),
            processing_days=days,
            edition_size=edition_size,
            edition_number=edition_number,
            is_exportable=True,
            hs_code=_hs_code(leaf, name),
            origin_country=maker.country,
            weight_grams=weight,
            length_mm=length,
            width_mm=width,
            height_mm=height,
        )
        variants, sizes = self._variants(leaf, number, made_to_order)
        values = [self.values[("material", material)], self.values[("technique", technique)]]
        values += [
            self.values[("colour", colour)]
            for colour in rng.sample(department.colours, rng.choice((1, 1, 2)))
        ]
        values += [self.values[("size", size)] for size in sizes]
        images = [
            ProductImage(
                image=file,
                alt=name if order == 0 else f"{name}, view {order + 1}",
                sort_order=order,
            )
            for order, file in enumerate(
                rng.sample(self._palette(department, leaf), rng.choice((1, 1, 2, 2, 2, 3)))
            )
        ]
        return _Draft(product=product, variants=variants, values=values, images=images)

    def _variants(
        self, leaf: Leaf, number: int, made_to_order: bool
    ) -> tuple[list[ProductVariant], list[str]]:
        rng = self.rng
        is_size, options = OPTIONS[leaf.options]
        count = min(len(options), rng.choice((1, 1, 2, 2, 2, 3, 3)))
        chosen = sorted(rng.sample(range(len(options)), count))
        base = math.exp(rng.uniform(math.log(leaf.price[0]), math.log(leaf.price[1])))
        variants = []
        for order, index in enumerate(chosen):
            option, factor = options[index]
            in_stock = made_to_order or rng.random() >= 0.08
            variants.append(
                ProductVariant(
                    sku=_unique(f"CM-{leaf.slug[:3].upper()}-{number:06d}-{order + 1}", self.skus),
                    name=option,
                    price_amount=_shop_price(base * factor),
                    sort_order=order,
                    stock_quantity=rng.randint(1, leaf.stock) if in_stock else 0,
                )
            )
        return variants, [options[index][0] for index in chosen] if is_size else []

    def _thumbnails(self) -> None:
        """Thumbnail each shared image once through the catalogue service, then point every
        other listing that shows the same image at that thumbnail."""
        thumbnails = {}
        for name, image_id in self.first_use.items():
            image = product_image_generate_thumbnail(image_id=image_id)
            thumbnails[name] = image.thumbnail.name
        if thumbnails:
            ProductImage.objects.filter(image__in=list(thumbnails), thumbnail="").update(
                thumbnail=Case(
                    *(When(image=name, then=Value(thumb)) for name, thumb in thumbnails.items())
                )
            )


@dataclass
class _Draft:
    product: Product
    variants: list[ProductVariant]
    values: list[AttributeValue]
    images: list[ProductImage]


def _unique(candidate: str, taken: set[str]) -> str:
    value, suffix = candidate, 2
    while value in taken:
        value, suffix = f"{candidate}-{suffix}", suffix + 1
    taken.add(value)
    return value


def _in_sentence(word: str) -> str:
    """'Wool and cotton' -> 'wool and cotton', but 'PLA' and '3D-printed' stay as they are."""
    return word if word[:2].isupper() or word[0].isdigit() else word[0].lower() + word[1:]


def _hs_code(leaf: Leaf, name: str) -> str:
    lowered = name.lower()
    return next((code for word, code in leaf.hs_by_word if word in lowered), leaf.hs_code)


def _shop_price(amount: float) -> Decimal:
    """A price a maker would write on a tag: ,50 steps when small, round tens when large."""
    step = 0.5 if amount < 50 else 1 if amount < 500 else 10
    price = Decimal(str(round(amount / step) * step)).quantize(Decimal("0.01"))
    return max(price, settings.MARKET_DEMO_MIN_PRICE)


# --- Images ----------------------------------------------------------------------------------


def _draw(
    *,
    department: Department,
    leaf: Leaf,
    rng: random.Random,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> bytes:
    background, main, accent = rng.sample(department.hues, 3)
    image = Image.new("RGB", (IMAGE_SIZE, IMAGE_SIZE), background)
    draw = ImageDraw.Draw(image)
    MOTIFS[leaf.motif or department.motif](draw, main, accent, rng)
    band = IMAGE_SIZE - 76
    draw.rectangle((0, band, IMAGE_SIZE, IMAGE_SIZE), fill=(24, 22, 20))
    draw.text((IMAGE_SIZE // 2, band + 38), leaf.name, fill=(246, 242, 232), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def _diamond(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, fill: RGB) -> None:
    draw.polygon(((x, y - r), (x + r, y), (x, y + r), (x - r, y)), fill=fill)


def _ring(x: float, y: float, r: float) -> tuple[float, float, float, float]:
    return (x - r, y - r, x + r, y + r)


def _grid(step: int, margin: int = 0) -> Iterator[tuple[int, int]]:
    for y in range(margin + step // 2, IMAGE_SIZE - 76 - margin, step):
        for x in range(margin + step // 2, IMAGE_SIZE - margin, step):
            yield x, y


def _carpet(draw, main, accent, rng):
    s, bottom = IMAGE_SIZE, IMAGE_SIZE - 76
    draw.rectangle((18, 18, s - 18, bottom - 10), outline=main, width=34)
    draw.rectangle((62, 62, s - 62, bottom - 54), outline=accent, width=6)
    for x in range(36, s - 20, 34):
        _diamond(draw, x, 35, 10, accent)
        _diamond(draw, x, bottom - 27, 10, accent)
    cx, cy = s / 2, bottom / 2 + 8
    for radius, colour in ((190, main), (130, accent), (70, main), (26, accent)):
        _diamond(draw, cx, cy, radius * rng.uniform(0.9, 1.0), colour)
    for x, y in ((120, 120), (s - 120, 120), (120, bottom - 110), (s - 120, bottom - 110)):
        _diamond(draw, x, y, 30, main)
        _diamond(draw, x, y, 12, accent)


def _plate(draw, main, accent, rng):
    cx, cy = IMAGE_SIZE / 2, (IMAGE_SIZE - 76) / 2 + 4
    draw.ellipse(_ring(cx, cy, 250), fill=main)
    draw.ellipse(_ring(cx, cy, 220), fill=accent)
    draw.ellipse(_ring(cx, cy, 200), fill=main)
    petals = rng.choice((8, 10, 12))
    for k in range(petals):
        angle = 2 * math.pi * k / petals
        x, y = cx + 130 * math.cos(angle), cy + 130 * math.sin(angle)
        draw.ellipse(_ring(x, y, 34), fill=accent)
    draw.ellipse(_ring(cx, cy, 60), fill=accent, outline=main, width=10)


def _jewel(draw, main, accent, rng):
    cx, cy, radius = IMAGE_SIZE / 2, 40, 300
    for k in range(25):
        angle = math.pi * (0.15 + 0.7 * k / 24)
        x, y = cx + radius * math.cos(angle) * 0.8, cy + radius * math.sin(angle) * 0.9
        draw.ellipse(_ring(x, y, 11), fill=main)
    drop_y = cy + radius * 0.9 + 40
    draw.polygon(
        ((cx, drop_y - 50), (cx + 60, drop_y + 30), (cx, drop_y + 120), (cx - 60, drop_y + 30)),
        fill=main,
    )
    draw.ellipse(_ring(cx, drop_y + 35, 32 * rng.uniform(0.8, 1.1)), fill=accent)


def _copper(draw, main, accent, rng):
    cx, cy = IMAGE_SIZE / 2, (IMAGE_SIZE - 76) / 2 + 4
    for k, radius in enumerate(range(260, 20, -24)):
        draw.ellipse(_ring(cx, cy, radius), fill=main if k % 2 == 0 else accent)
    for _ in range(260):
        angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(30, 250)
        x, y = cx + distance * math.cos(angle), cy + distance * math.sin(angle)
        draw.ellipse(_ring(x, y, 3), fill=accent)


def _lattice(draw, main, accent, rng):
    for x, y in _grid(80):
        r = 34
        draw.rectangle(_ring(x, y, r * 0.72), fill=accent, outline=main, width=4)
        _diamond(draw, x, y, r, main)
        _diamond(draw, x, y, r - 10, accent)


def _record(draw, main, accent, rng):
    cx, cy = IMAGE_SIZE / 2, (IMAGE_SIZE - 76) / 2 + 4
    draw.ellipse(_ring(cx, cy, 262), fill=(18, 18, 18))
    for radius in range(250, 96, -7):
        shade = 30 + (radius * 7) % 22
        draw.ellipse(_ring(cx, cy, radius), outline=(shade, shade, shade), width=2)
    draw.ellipse(_ring(cx, cy, 90), fill=accent)
    draw.ellipse(_ring(cx, cy, 60 * rng.uniform(0.8, 1.0)), outline=main, width=6)
    draw.ellipse(_ring(cx, cy, 7), fill=(236, 226, 200))


def _print(draw, main, accent, rng):
    for _ in range(rng.randint(5, 8)):
        x, y = rng.randint(0, IMAGE_SIZE - 140), rng.randint(0, IMAGE_SIZE - 220)
        w, h = rng.randint(90, 300), rng.randint(90, 300)
        colour = rng.choice((main, accent))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=colour)
        else:
            draw.pieslice(
                (x, y, x + w, y + w),
                rng.choice((0, 90, 180, 270)),
                rng.choice((180, 270, 360)),
                fill=colour,
            )


def _pixels(draw, main, accent, rng):
    cells, cell = 12, 44
    left, top = (IMAGE_SIZE - cells * cell) // 2, 20
    for row in range(cells):
        for column in range(cells // 2):
            roll = rng.random()
            if roll < 0.45:
                continue
            colour = main if roll < 0.8 else accent
            for col in (column, cells - 1 - column):
                x, y = left + col * cell, top + row * cell
                draw.rectangle((x, y, x + cell - 2, y + cell - 2), fill=colour)


def _stripes(draw, main, accent, rng):
    band = rng.choice((48, 64, 80))
    for k, y in enumerate(range(0, IMAGE_SIZE - 76, band)):
        colour = main if k % 2 == 0 else accent
        for x in range(0, IMAGE_SIZE, band):
            draw.polygon(((x, y + band), (x + band / 2, y), (x + band, y + band)), fill=colour)


def _strings(draw, main, accent, rng):
    # A tar seen from the front: a figure-eight body, a long neck, the strings.
    cx = IMAGE_SIZE / 2
    draw.rectangle((cx - 22, 20, cx + 22, 330), fill=main)
    for y in range(50, 320, 26):
        draw.line((cx - 22, y, cx + 22, y), fill=accent, width=3)
    draw.ellipse(_ring(cx, 350, 70), fill=main)
    draw.ellipse(_ring(cx, 450, 95), fill=main)
    draw.ellipse(_ring(cx, 450, 62), fill=accent)
    for offset in (-12, -4, 4, 12):
        draw.line((cx + offset, 24, cx + offset, 520), fill=(240, 236, 224), width=2)


def _drum(draw, main, accent, rng):
    cx, cy = IMAGE_SIZE / 2, (IMAGE_SIZE - 76) / 2 + 4
    draw.ellipse(_ring(cx, cy, 240), fill=main)
    draw.ellipse(_ring(cx, cy, 200), fill=(236, 226, 200))
    pegs = rng.choice((16, 20, 24))
    for k in range(pegs):
        angle = 2 * math.pi * k / pegs
        x, y = cx + 220 * math.cos(angle), cy + 220 * math.sin(angle)
        draw.ellipse(_ring(x, y, 9), fill=accent)
    draw.ellipse(_ring(cx, cy, 60), outline=accent, width=6)


def _pipe(draw, main, accent, rng):
    cy = (IMAGE_SIZE - 76) / 2
    draw.rectangle((60, cy - 36, IMAGE_SIZE - 120, cy + 36), fill=main)
    draw.polygon(
        (
            (IMAGE_SIZE - 120, cy - 36),
            (IMAGE_SIZE - 50, cy - 70),
            (IMAGE_SIZE - 50, cy + 70),
            (IMAGE_SIZE - 120, cy + 36),
        ),
        fill=main,
    )
    draw.rectangle((30, cy - 14, 60, cy + 14), fill=accent)
    for x in range(170, IMAGE_SIZE - 150, 52):
        draw.ellipse(_ring(x, cy, 12), fill=accent)


def _score(draw, main, accent, rng):
    ink = (30, 30, 30)
    draw.rectangle((60, 24, IMAGE_SIZE - 60, IMAGE_SIZE - 96), fill=(248, 244, 232))
    for top in range(60, IMAGE_SIZE - 140, 110):
        for line in range(5):
            draw.line((90, top + line * 12, IMAGE_SIZE - 90, top + line * 12), fill=ink, width=2)
        for x in range(130, IMAGE_SIZE - 100, 44):
            y = top + rng.randint(-2, 10) * 6
            draw.ellipse((x - 8, y - 6, x + 8, y + 6), fill=ink)
            draw.line((x + 7, y, x + 7, y - 38), fill=ink, width=2)


MOTIFS = {
    "carpet": _carpet,
    "plate": _plate,
    "jewel": _jewel,
    "copper": _copper,
    "lattice": _lattice,
    "record": _record,
    "print": _print,
    "pixels": _pixels,
    "stripes": _stripes,
    "strings": _strings,
    "drum": _drum,
    "pipe": _pipe,
    "score": _score,
}
