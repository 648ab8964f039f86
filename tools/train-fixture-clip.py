#!/usr/bin/env python3
"""Train and export the tiny CLIP-style fixture model used by the test suite.

What
----
Trains a small dual encoder (CNN image tower + causal transformer text tower)
on a synthetic "coloured shapes" image/caption dataset with CLIP's symmetric
InfoNCE loss and a learnable temperature, then writes, under ``--out``
(default ``test/fixtures``):

* ``models/tiny-clip-immich/``  the Immich model-repository layout
  (``config.json``, ``visual/model.onnx``, ``visual/preprocess_cfg.json``,
  ``textual/model.onnx``, ``textual/tokenizer.json``,
  ``textual/tokenizer_config.json``); fixed batch 1, L2-normalised outputs.
* ``models/tiny-clip-hf/``  the Hugging Face / transformers.js layout
  (``config.json``, ``preprocessor_config.json``, ``tokenizer.json``,
  ``tokenizer_config.json``, ``onnx/vision_model.onnx``,
  ``onnx/text_model.onnx``); dynamic batch, un-normalised projections.
* ``photos/shapes/<shape>/<colour>-<n>.jpg``  held-out single-object JPEGs.
* ``photos/scenes/scene-<n>.jpg`` + ``photos/captions.json``  held-out
  multi-object scenes with two captions each.
* ``photos/reference/*.png|*.f32``  three odd PNGs (non-square RGB, greyscale,
  RGBA) and their exact preprocessed model input (raw little-endian float32,
  [3, 64, 64]).
* ``models/reference.json``  token ids, text/image embeddings and the
  zero-shot / retrieval metrics measured by this script.

Both layouts hold the same trained weights and the same tokenizer.

Why
---
The app's CLIP pipeline (tokenizer, preprocessing, ONNX inference, zero-shot
tagging, text->image search) needs a model that is small enough to commit, is
fast enough for unit tests, and actually *works*, so that tests can assert
real semantic behaviour ("a photo of a red star" finds the red stars) and
bit-level agreement with a reference implementation (this file).

Tokenizer: CLIP-shaped byte-level BPE. NFC + lowercase normaliser; the CLIP
split regex (contractions, runs of letters, single digits, runs of other
non-space characters; whitespace removed), then GPT-2 byte-to-unicode mapping;
BPE with the ``</w>`` end-of-word suffix. The vocabulary is the 256 byte
symbols, the same with ``</w>``, one token per learned merge (merges learned
here from the caption vocabulary until every dataset word is a single token),
then ``<|startoftext|>`` and ``<|endoftext|>`` (the highest id). Unknown words
fall back to sub-words / single bytes, so nothing is ever ``unk``.
A TemplateProcessing post-processor wraps sequences in BOS ... EOS. The padding
token is ``<|endoftext|>``. The text tower uses a causal mask and pools at the
FIRST ``<|endoftext|>`` position (or the last position if there is none), so
anything after the first EOT (EOT padding, zero padding) does not matter.

Preprocessing (== CLIP / open_clip / HF CLIPImageProcessor): EXIF transpose,
convert("RGB") (RGBA alpha is dropped, not composited, exactly as PIL does),
resize the shortest side to 64 with PIL BICUBIC (long side = int(64*long/short)),
centre crop 64x64 (offset floor((size-64)/2)), /255, normalise with the CLIP
mean/std. Training images go through the same function.

How to run
----------
    /usr/bin/python3 tools/train-fixture-clip.py [--out test/fixtures] [--seed 0] [--steps N]

Needs torch (the legacy TorchScript ONNX exporter; Debian's python3-torch 1.13
works), onnx, numpy and Pillow; CPU only, 2 threads, deterministic for a given
seed and torch build; takes a few minutes. Prints the metrics at the end.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import multiprocessing as mp
import os
import sys
import time
import unicodedata
from collections import Counter

import numpy as np
import onnx
from PIL import Image, ImageDraw, ImageFilter, ImageOps

import torch
import torch.nn as nn
import torch.nn.functional as F

# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

IMAGE_SIZE = 64
CONTEXT_LENGTH = 16
EMBED_DIM = 64
# (channels, stride) of the 3x3 conv+BN+ReLU layers; 64 -> 32 -> 16 -> 16 -> 8 -> 8 pixels.
# (The stride-1 layer at 16x16 matters: without it shape accuracy drops from ~99% to ~89%.)
VISION_LAYERS = ((32, 2), (48, 2), (64, 1), (96, 2), (128, 1))
TEXT_WIDTH, TEXT_LAYERS, TEXT_HEADS = 64, 2, 4
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
LOGIT_SCALE_INIT = math.log(1 / 0.07)
LOGIT_SCALE_MAX = math.log(100.0)

OBJECT_COLOURS = {
    "red": (220, 35, 35),
    "green": (35, 165, 55),
    "blue": (35, 70, 225),
    "yellow": (245, 215, 30),
    "purple": (140, 55, 185),
    "orange": (250, 135, 20),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
}
BACKGROUND_ONLY_COLOURS = {
    "grey": (128, 128, 128),
    "pink": (245, 160, 195),
    "brown": (125, 80, 45),
    "teal": (25, 135, 135),
}
BACKGROUND_COLOURS = {**OBJECT_COLOURS, **BACKGROUND_ONLY_COLOURS}
COLOUR_NAMES = list(OBJECT_COLOURS)
BG_NAMES = list(BACKGROUND_COLOURS)
SHAPES = ["circle", "square", "triangle", "star", "cross"]
PLURAL = {"circle": "circles", "square": "squares", "triangle": "triangles", "star": "stars", "cross": "crosses"}
NUMBER_WORDS = {2: "two", 3: "three"}
TEXTURES = ["plain", "striped", "dotted"]

BOS = "<|startoftext|>"
EOS = "<|endoftext|>"

# RNG streams (numpy SeedSequence spawn keys) so every data set is independent.
STREAM_TRAIN, STREAM_SHAPES, STREAM_SCENES, STREAM_REFERENCE, STREAM_CORPUS = 1, 2, 3, 4, 5


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *stream])))


# --------------------------------------------------------------------------
# Tokenizer (reference implementation; the same thing is written as tokenizer.json)
# --------------------------------------------------------------------------

# The CLIP pre-tokenizer pattern minus the special-token alternatives (special
# tokens are split out as added tokens before normalisation).
SPLIT_REGEX = r"'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"
CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]
# Unicode White_Space property (what \s means in Oniguruma and in tokenizers.js).
WHITE_SPACE = set(
    [chr(c) for c in range(0x09, 0x0E)]
    + [" ", "\u0085", "\u00a0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2 / CLIP reversible byte -> printable unicode character table."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    # Keep CLIP's ordering: printable bytes first, then the remapped ones.
    return {b: table[b] for b in printable + [b for b in range(256) if b not in printable]}


BYTE_ENCODER = bytes_to_unicode()


def _is_letter(c: str) -> bool:
    return unicodedata.category(c).startswith("L")


def _is_number(c: str) -> bool:
    return unicodedata.category(c).startswith("N")


def split_words(text: str) -> list[str]:
    """Python equivalent of matching SPLIT_REGEX globally (leftmost-first alternation)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in WHITE_SPACE:
            i += 1
            continue
        matched = next((k for k in CONTRACTIONS if text.startswith(k, i)), None)
        if matched:
            out.append(matched)
            i += len(matched)
        elif _is_letter(c):
            j = i + 1
            while j < n and _is_letter(text[j]):
                j += 1
            out.append(text[i:j])
            i = j
        elif _is_number(c):
            out.append(c)
            i += 1
        else:
            j = i + 1
            while j < n and not (text[j] in WHITE_SPACE or _is_letter(text[j]) or _is_number(text[j])):
                j += 1
            out.append(text[i:j])
            i = j
    return out


def normalize_text(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def byte_level(word: str) -> str:
    return "".join(BYTE_ENCODER[b] for b in word.encode("utf-8"))


def word_symbols(word: str) -> list[str]:
    syms = list(byte_level(word))
    syms[-1] += "</w>"
    return syms


def learn_merges(word_counts: Counter) -> list[tuple[str, str]]:
    """Plain BPE training, run until every word of the corpus is one symbol."""
    words = {w: word_symbols(w) for w in sorted(word_counts)}
    merges: list[tuple[str, str]] = []
    while True:
        pairs: Counter = Counter()
        for w, syms in words.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] += word_counts[w]
        if not pairs:
            return merges
        best = min(pairs, key=lambda p: (-pairs[p], p))  # most frequent, ties lexicographic
        merges.append(best)
        for w, syms in words.items():
            words[w] = merge_pair(syms, best)


def merge_pair(syms: list[str], pair: tuple[str, str]) -> list[str]:
    out, i = [], 0
    while i < len(syms):
        if i + 1 < len(syms) and syms[i] == pair[0] and syms[i + 1] == pair[1]:
            out.append(syms[i] + syms[i + 1])
            i += 2
        else:
            out.append(syms[i])
            i += 1
    return out


class ClipBPETokenizer:
    def __init__(self, merges: list[tuple[str, str]]):
        base = list(BYTE_ENCODER.values())
        vocab = base + [s + "</w>" for s in base] + ["".join(m) for m in merges]
        assert len(set(vocab)) == len(vocab), "duplicate vocabulary entries"
        vocab += [BOS, EOS]
        self.vocab = vocab
        self.ids = {t: i for i, t in enumerate(vocab)}
        self.merges = merges
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.bos_id = self.ids[BOS]
        self.eos_id = self.ids[EOS]
        self.pad_id = self.eos_id
        self.cache: dict[str, list[str]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def bpe(self, word: str) -> list[str]:
        if word in self.cache:
            return self.cache[word]
        syms = word_symbols(word)
        while len(syms) > 1:
            ranked = [(self.ranks[p], p) for p in zip(syms, syms[1:]) if p in self.ranks]
            if not ranked:
                break
            syms = merge_pair(syms, min(ranked)[1])
        self.cache[word] = syms
        return syms

    def encode(self, text: str) -> list[int]:
        """Ids with BOS/EOS, no truncation or padding (like tokenizers' encode)."""
        ids = [self.bos_id]
        for section in self._split_special(text):
            if section in (BOS, EOS):
                ids.append(self.ids[section])
                continue
            for word in split_words(normalize_text(section)):
                ids.extend(self.ids[t] for t in self.bpe(word))
        ids.append(self.eos_id)
        return ids

    @staticmethod
    def _split_special(text: str) -> list[str]:
        out, start, i = [], 0, 0
        while i < len(text):
            tok = next((t for t in (BOS, EOS) if text.startswith(t, i)), None)
            if tok:
                if i > start:
                    out.append(text[start:i])
                out.append(tok)
                i += len(tok)
                start = i
            else:
                i += 1
        if start < len(text):
            out.append(text[start:])
        return out

    def encode_fixed(self, text: str, length: int = CONTEXT_LENGTH) -> list[int]:
        """CLIP tokenize(truncate=True): keep the first length-1 ids, EOT last; pad with pad_id."""
        ids = self.encode(text)
        if len(ids) > length:
            ids = ids[: length - 1] + [self.eos_id]
        return ids + [self.pad_id] * (length - len(ids))

    def to_json(self) -> dict:
        special = [
            {"id": self.ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for t in (BOS, EOS)
        ]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": special,
            "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Lowercase"}]},
            "pre_tokenizer": {
                "type": "Sequence",
                "pretokenizers": [
                    {"type": "Split", "pattern": {"Regex": SPLIT_REGEX}, "behavior": "Removed", "invert": True},
                    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
                ],
            },
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [
                    {"SpecialToken": {"id": BOS, "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": EOS, "type_id": 0}},
                ],
                "pair": [
                    {"SpecialToken": {"id": BOS, "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": EOS, "type_id": 0}},
                    {"SpecialToken": {"id": BOS, "type_id": 1}},
                    {"Sequence": {"id": "B", "type_id": 1}},
                    {"SpecialToken": {"id": EOS, "type_id": 1}},
                ],
                "special_tokens": {
                    t: {"id": t, "ids": [self.ids[t]], "tokens": [t]} for t in (BOS, EOS)
                },
            },
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": EOS,
                "continuing_subword_prefix": "",
                "end_of_word_suffix": "</w>",
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": self.ids,
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }


# --------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------


def jitter(rng, rgb, amount):
    return tuple(int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in rgb)


def sample_size(rng):
    w = int(rng.integers(64, 129))
    aspect = rng.uniform(0.75, 4 / 3)  # w / h
    h = int(np.clip(round(w / aspect), 64, 128))
    return w, h


def sample_objects(rng, n, big):
    """n objects (colour, shape), non-overlapping, in unit-square coordinates."""
    objs = []
    for _ in range(n):
        for attempt in range(100):
            r = rng.uniform(0.17, 0.30) if big else rng.uniform(0.10, 0.16) * (0.97 ** (attempt // 10))
            m = r * 1.2 + 0.02
            cx, cy = rng.uniform(m, 1 - m, size=2)
            if all(math.hypot(cx - o["cx"], cy - o["cy"]) > (r + o["r"]) * 1.25 for o in objs):
                break
        objs.append({"cx": float(cx), "cy": float(cy), "r": float(r), "theta": float(rng.uniform(0, 2 * math.pi))})
    return objs


def sample_spec(rng, n_objects=None, colour=None, shape=None):
    """Everything random about one image, so rendering is a pure function of it."""
    w, h = sample_size(rng)
    if n_objects is None:
        n_objects = 1 if rng.random() < 0.45 else int(rng.integers(2, 4))
    objs = sample_objects(rng, n_objects, big=n_objects == 1)
    kinds = []
    mode = rng.random()
    if n_objects >= 2 and mode < 0.3:  # all the same: "two red circles"
        kinds = [(rng.choice(COLOUR_NAMES), rng.choice(SHAPES))] * n_objects
    elif n_objects == 3 and mode < 0.5:  # two of one kind and one other
        k = (rng.choice(COLOUR_NAMES), rng.choice(SHAPES))
        kinds = [k, k, (rng.choice(COLOUR_NAMES), rng.choice(SHAPES))]
        rng.shuffle(kinds)
    else:
        kinds = [(rng.choice(COLOUR_NAMES), rng.choice(SHAPES)) for _ in range(n_objects)]
    if colour is not None:
        kinds = [(colour, shape)]
    for o, (c, s) in zip(objs, kinds):
        o["colour"], o["shape"] = str(c), str(s)
        o["rgb"] = jitter(rng, OBJECT_COLOURS[o["colour"]], 14)
    used = {o["colour"] for o in objs}
    bg = str(rng.choice([c for c in BG_NAMES if c not in used]))
    texture = str(rng.choice(TEXTURES, p=[0.5, 0.25, 0.25]))
    return {
        "w": w, "h": h, "objects": objs,
        "bg": bg, "bg_rgb": jitter(rng, BACKGROUND_COLOURS[bg], 14), "texture": texture,
        "tex_period": float(rng.uniform(8, 20)), "tex_angle": float(rng.choice([0, 45, 90, 135]) + rng.uniform(-10, 10)),
        "tex_phase": rng.uniform(0, 20, size=2).tolist(), "tex_dot": float(rng.uniform(0.22, 0.32)),
        "noise": float(rng.uniform(0, 4)), "noise_seed": int(rng.integers(2**32)), "blur": float(rng.uniform(0.3, 0.7)) if rng.random() < 0.3 else 0.0,
    }


def shade(rgb):
    luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    target, t = ((255, 255, 255), 0.35) if luma < 140 else ((0, 0, 0), 0.3)
    return tuple(int(round(c + (tc - c) * t)) for c, tc in zip(rgb, target))


def shape_polygon(shape, cx, cy, r, theta):
    def rot(pts):
        c, s = math.cos(theta), math.sin(theta)
        return [(cx + x * c - y * s, cy + x * s + y * c) for x, y in pts]

    if shape == "square":
        R = r * 0.85 * math.sqrt(2)
        return rot([(R * math.cos(math.pi / 4 + k * math.pi / 2), R * math.sin(math.pi / 4 + k * math.pi / 2)) for k in range(4)])
    if shape == "triangle":
        R = r * 1.15
        return rot([(R * math.cos(-math.pi / 2 + k * 2 * math.pi / 3), R * math.sin(-math.pi / 2 + k * 2 * math.pi / 3)) for k in range(3)])
    if shape == "star":
        pts = []
        for k in range(10):
            R = r * 1.15 if k % 2 == 0 else r * 0.5
            a = -math.pi / 2 + k * math.pi / 5
            pts.append((R * math.cos(a), R * math.sin(a)))
        return rot(pts)
    if shape == "cross":
        L, t = r * 1.05, r * 0.34
        return rot([(t, L), (t, t), (L, t), (L, -t), (t, -t), (t, -L), (-t, -L), (-t, -t), (-L, -t), (-L, t), (-t, t), (-t, L)])
    raise ValueError(shape)


def render(spec) -> Image.Image:
    """Draw at 2x and box-downsample (anti-aliasing), then light noise / blur."""
    w, h = spec["w"], spec["h"]
    W, H = 2 * w, 2 * h
    bg = np.array(spec["bg_rgb"], np.uint8)
    canvas = np.empty((H, W, 3), np.uint8)
    canvas[:] = bg
    if spec["texture"] != "plain":
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        p = spec["tex_period"]
        if spec["texture"] == "striped":
            a = math.radians(spec["tex_angle"])
            u = xx * math.cos(a) + yy * math.sin(a) + spec["tex_phase"][0]
            mask = np.mod(u, p) < p / 2
        else:
            dx = np.mod(xx + spec["tex_phase"][0], p) - p / 2
            dy = np.mod(yy + spec["tex_phase"][1], p) - p / 2
            mask = dx * dx + dy * dy < (p * spec["tex_dot"]) ** 2
        canvas[mask] = shade(spec["bg_rgb"])
    img = Image.fromarray(canvas)
    draw = ImageDraw.Draw(img)
    S = 2 * min(w, h)
    ox, oy = (W - S) / 2, (H - S) / 2
    for o in spec["objects"]:
        cx, cy, r = ox + o["cx"] * S, oy + o["cy"] * S, o["r"] * S
        if o["shape"] == "circle":
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=tuple(o["rgb"]))
        else:
            draw.polygon(shape_polygon(o["shape"], cx, cy, r, o["theta"]), fill=tuple(o["rgb"]))
    img = img.reduce(2)
    if spec["blur"] > 0:
        img = img.filter(ImageFilter.GaussianBlur(spec["blur"]))
    if spec["noise"] > 0:
        rs = np.random.default_rng(spec["noise_seed"])
        arr = np.asarray(img, np.float32) + rs.normal(0, spec["noise"], (h, w, 3))
        img = Image.fromarray(np.clip(np.round(arr), 0, 255).astype(np.uint8))
    return img


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def groups_of(spec):
    groups: dict[tuple[str, str], int] = {}
    for o in spec["objects"]:
        k = (o["colour"], o["shape"])
        groups[k] = groups.get(k, 0) + 1
    return [(c, s, n) for (c, s), n in groups.items()]


def object_phrase(groups):
    parts = [f"{article(c)} {c} {s}" if n == 1 else f"{NUMBER_WORDS[n]} {c} {PLURAL[s]}" for c, s, n in groups]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def background_phrase(spec):
    c = spec["bg"]
    return f"{article(c)} {c} background" if spec["texture"] == "plain" else f"a {spec['texture']} {c} background"


GENERAL_TEMPLATES = [
    "{o}.", "{o}", "a photo of {o}.", "an image of {o}.", "a picture of {o}.",
    "{o} on {b}.", "a photo of {o} on {b}.", "a picture of {o} on {b}.", "{o} on {b}",
]


def all_captions(spec):
    """Every caption the dataset may use for this image (before length filtering)."""
    o, b = object_phrase(groups_of(spec)), background_phrase(spec)
    caps = [t.format(o=o, b=b) for t in GENERAL_TEMPLATES]
    if len(spec["objects"]) == 1:
        c, s = spec["objects"][0]["colour"], spec["objects"][0]["shape"]
        caps += [f"a photo of a {c} {s}.", f"a photo of a {s}.", f"a {s}.", f"a photo of the {c} {s}.", f"a {c} {s} on {b}."]
    return caps


def sample_caption(rng, spec, fits):
    """fits(caption) -> bool says whether the caption fits the context length."""
    if len(spec["objects"]) == 1:
        c, s = spec["objects"][0]["colour"], spec["objects"][0]["shape"]
        u = rng.random()
        if u < 0.3:
            return f"a photo of a {c} {s}."  # the zero-shot prompt forms, verbatim
        if u < 0.42:
            return f"a photo of a {s}."
    caps = [x for x in all_captions(spec)[: len(GENERAL_TEMPLATES)] if fits(x)]
    return str(caps[int(rng.integers(len(caps)))])


# --------------------------------------------------------------------------
# Preprocessing (CLIP)
# --------------------------------------------------------------------------


def resize_crop(img: Image.Image) -> np.ndarray:
    """EXIF transpose, RGB, shortest side -> 64 (bicubic), centre crop. uint8 HWC."""
    img = ImageOps.exif_transpose(img)
    img = img.convert("RGB")
    w, h = img.size
    if w <= h:
        nw, nh = IMAGE_SIZE, int(IMAGE_SIZE * h / w)
    else:
        nw, nh = int(IMAGE_SIZE * w / h), IMAGE_SIZE
    if (nw, nh) != (w, h):
        img = img.resize((nw, nh), Image.BICUBIC)
    left, top = (nw - IMAGE_SIZE) // 2, (nh - IMAGE_SIZE) // 2
    img = img.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE))
    return np.asarray(img, np.uint8)


MEAN_NP = np.array(CLIP_MEAN, np.float32).reshape(3, 1, 1)
STD_NP = np.array(CLIP_STD, np.float32).reshape(3, 1, 1)


def normalise_uint8(arr_chw: np.ndarray) -> np.ndarray:
    return ((arr_chw.astype(np.float32) / np.float32(255.0)) - MEAN_NP) / STD_NP


def preprocess(img: Image.Image) -> np.ndarray:
    """The exact model input: float32 [3, 64, 64]."""
    return normalise_uint8(resize_crop(img).transpose(2, 0, 1))


def jpeg_roundtrip(img, quality):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def generate_chunk(args):
    """Worker: a chunk of the training pool (uint8 [n,3,64,64] + specs)."""
    seed, chunk, n = args
    rng = rng_for(seed, STREAM_TRAIN, chunk)
    pixels = np.empty((n, 3, IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    specs = []
    for i in range(n):
        spec = sample_spec(rng)
        img = render(spec)
        if rng.random() < 0.6:
            img = jpeg_roundtrip(img, rng.integers(40, 96))
        pixels[i] = resize_crop(img).transpose(2, 0, 1)
        for o in spec["objects"]:
            del o["rgb"]
        specs.append({"objects": spec["objects"], "bg": spec["bg"], "texture": spec["texture"]})
    return pixels, specs


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------


class Dense(nn.Linear):
    """nn.Linear whose training-time matmul goes through a 1x1 convolution.

    Debian's torch is built against the generic (reference) BLAS, which makes
    addmm ~40x slower than the oneDNN convolution kernels on small matrices.
    Same parameters and the same maths; eval / export use plain F.linear so the
    ONNX graphs contain ordinary MatMul/Gemm nodes.
    """

    fast = False  # toggled on only inside train()

    def forward(self, x):
        if not Dense.fast:
            return F.linear(x, self.weight, self.bias)
        lead, c = x.shape[:-1], x.shape[-1]
        n = x.numel() // c
        xi = x.reshape(1, n, 1, c).permute(0, 3, 1, 2)  # [1, C, N, 1], channels-last view, no copy
        y = F.conv2d(xi, self.weight[:, :, None, None], self.bias)
        return y.permute(0, 2, 3, 1).reshape(*lead, -1)


def conv_bn(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ImageTower(nn.Module):
    def __init__(self, embed_dim, layers=VISION_LAYERS):
        super().__init__()
        chans = [3] + [c for c, _ in layers]
        self.features = nn.Sequential(*[conv_bn(cin, cout, st) for cin, (cout, st) in zip(chans, layers)])
        self.proj = Dense(2 * chans[-1], embed_dim)

    def forward(self, x):
        f = self.features(x)  # [B, C, 8, 8]
        pooled = torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1)
        return self.proj(pooled), f.flatten(2).transpose(1, 2)


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.width, self.dh = heads, width, width // heads
        self.ln1 = nn.LayerNorm(width)
        self.qkv = Dense(width, 3 * width)
        self.out = Dense(width, width)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(Dense(width, 4 * width), nn.GELU(), Dense(4 * width, width))

    def forward(self, x, mask):
        B, S = x.shape[0], x.shape[1]
        dh = self.dh
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        q = q.reshape(B, S, self.heads, dh).transpose(1, 2)
        k = k.reshape(B, S, self.heads, dh).transpose(1, 2)
        v = v.reshape(B, S, self.heads, dh).transpose(1, 2)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(dh)) + mask
        y = torch.matmul(att.softmax(dim=-1), v).transpose(1, 2).reshape(B, S, self.width)
        x = x + self.out(y)
        return x + self.mlp(self.ln2(x))


class TextTower(nn.Module):
    def __init__(self, vocab_size, eot_id, embed_dim, width=TEXT_WIDTH, layers=TEXT_LAYERS, heads=TEXT_HEADS,
                 ctx=CONTEXT_LENGTH):
        super().__init__()
        self.eot_id = eot_id
        self.tok = nn.Embedding(vocab_size, width)
        self.pos = nn.Parameter(torch.randn(ctx, width) * 0.01)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)
        self.proj = Dense(width, embed_dim, bias=False)
        self.register_buffer("causal", torch.triu(torch.full((ctx, ctx), -1e9), diagonal=1), persistent=False)
        self.register_buffer("positions", torch.arange(ctx), persistent=False)

    def forward(self, ids, attention_mask=None):
        S = ids.shape[1]
        x = self.tok(ids) + self.pos[:S]
        mask = self.causal[:S, :S].unsqueeze(0)
        if attention_mask is not None:  # key padding on top of the causal mask
            mask = mask + (1.0 - attention_mask.to(x.dtype)).unsqueeze(1) * -1e9
        mask = mask.unsqueeze(1)
        for blk in self.blocks:
            x = blk(x, mask)
        x = self.ln_f(x)
        # Pool at the FIRST end-of-text token (robust to any padding after it);
        # fall back to the last position when there is no EOT at all.
        is_eot = (ids == self.eot_id).to(x.dtype)
        first = is_eot * (torch.cumsum(is_eot, dim=1) == 1).to(x.dtype)
        no_eot = 1.0 - first.sum(dim=1, keepdim=True)
        last = (self.positions[:S] == S - 1).to(x.dtype).unsqueeze(0)
        weights = first + no_eot * last
        pooled = (weights.unsqueeze(-1) * x).sum(dim=1)
        return self.proj(pooled), x


class TinyClip(nn.Module):
    def __init__(self, vocab_size, eot_id, embed_dim=EMBED_DIM):
        super().__init__()
        self.visual = ImageTower(embed_dim)
        self.text = TextTower(vocab_size, eot_id, embed_dim)
        self.logit_scale = nn.Parameter(torch.tensor(LOGIT_SCALE_INIT))

    def encode_image(self, x):
        return F.normalize(self.visual(x)[0], dim=-1)

    def encode_text(self, ids):
        return F.normalize(self.text(ids)[0], dim=-1)


# ONNX wrappers --------------------------------------------------------------


class ImmichVisual(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, image):
        e = self.m.visual(image)[0]
        return e / e.norm(p=2, dim=-1, keepdim=True)


class ImmichTextual(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, text):
        e = self.m.text(text.to(torch.int64))[0]
        return e / e.norm(p=2, dim=-1, keepdim=True)


class HfVision(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, pixel_values):
        return self.m.visual(pixel_values)


class HfText(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m.text(input_ids, attention_mask)


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------

MEAN_T = torch.tensor(CLIP_MEAN).view(1, 3, 1, 1)
STD_T = torch.tensor(CLIP_STD).view(1, 3, 1, 1)


def normalise_batch(u8):
    return (u8.float() / 255.0 - MEAN_T) / STD_T


def build_tokenizer(seed):
    rng = rng_for(seed, STREAM_CORPUS)
    counts: Counter = Counter()
    for i in range(6000):
        spec = sample_spec(rng)
        for cap in all_captions(spec):
            counts.update(split_words(normalize_text(cap)))
    # Make sure every word the data / prompts can use is present, even if rare.
    for c in BG_NAMES:
        counts.update([c])
    for s in SHAPES:
        counts.update([s, PLURAL[s]])
    counts.update(["a", "an", "photo", "of", "the", "image", "picture", "on", "and", "two", "three",
                   "background", "striped", "dotted", ".", ","])
    return ClipBPETokenizer(learn_merges(counts))


def train(model, tok, pixels, specs, steps, batch, seed, log_every=100):
    gen = torch.Generator().manual_seed(seed)
    rng = rng_for(seed, STREAM_TRAIN, 10_000)
    fits = lambda cap: len(tok.encode(cap)) <= CONTEXT_LENGTH  # noqa: E731
    fit_cache: dict[str, bool] = {}

    def fits_cached(cap):
        if cap not in fit_cache:
            fit_cache[cap] = fits(cap)
        return fit_cache[cap]

    id_cache: dict[str, list[int]] = {}
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.ndim < 2 or n.endswith("logit_scale") or "pos" in n else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=2e-3, betas=(0.9, 0.98), eps=1e-6)
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, steps - warmup))))
    N = len(specs)
    model.train()
    model.visual.to(memory_format=torch.channels_last)
    Dense.fast = True
    t0 = time.time()
    running = 0.0
    for step in range(steps):
        idx = torch.randint(0, N, (batch,), generator=gen)
        x = pixels[idx]
        # cheap label-preserving augmentation: flips and 90 degree rotations
        k = int(torch.randint(0, 4, (1,), generator=gen))
        if k:
            x = torch.rot90(x, k, dims=(2, 3))
        flip = torch.rand(batch, generator=gen) < 0.5
        x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
        x = normalise_batch(x).contiguous(memory_format=torch.channels_last)
        caps = [sample_caption(rng, specs[int(i)], fits_cached) for i in idx]
        ids = []
        for c in caps:
            if c not in id_cache:
                id_cache[c] = tok.encode_fixed(c)
            ids.append(id_cache[c])
        ids = torch.tensor(ids, dtype=torch.int64)
        # Identical captions are positives of each other (soft targets).
        keys = {c: j for j, c in enumerate(dict.fromkeys(caps))}
        cls = torch.tensor([keys[c] for c in caps])
        same = (cls[:, None] == cls[None, :]).float()
        target = same / same.sum(dim=1, keepdim=True)

        img = model.encode_image(x)
        txt = model.encode_text(ids)
        scale = model.logit_scale.exp()
        logits = scale * img @ txt.t()
        loss = 0.5 * (torch.sum(-target * F.log_softmax(logits, dim=1), dim=1).mean()
                      + torch.sum(-target * F.log_softmax(logits.t(), dim=1), dim=1).mean())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, LOGIT_SCALE_MAX)
        running += loss.item()
        if (step + 1) % log_every == 0:
            print(f"  step {step + 1:5d}/{steps}  loss {running / log_every:.4f}  "
                  f"scale {model.logit_scale.exp().item():6.2f}  {time.time() - t0:6.1f}s", flush=True)
            running = 0.0
    Dense.fast = False
    model.visual.to(memory_format=torch.contiguous_format)
    model.eval()


# --------------------------------------------------------------------------
# Held-out data, evaluation, export
# --------------------------------------------------------------------------


def write_heldout(out, seed, tok):
    photos = os.path.join(out, "photos")
    rng = rng_for(seed, STREAM_SHAPES)
    shapes = []
    for s in SHAPES:
        os.makedirs(os.path.join(photos, "shapes", s), exist_ok=True)
        for c in COLOUR_NAMES:
            for n in range(2):
                spec = sample_spec(rng, n_objects=1, colour=c, shape=s)
                rel = f"shapes/{s}/{c}-{n}.jpg"
                render(spec).save(os.path.join(photos, rel), "JPEG", quality=85)
                shapes.append({"path": rel, "colour": c, "shape": s})
    rng = rng_for(seed, STREAM_SCENES)
    os.makedirs(os.path.join(photos, "scenes"), exist_ok=True)
    scenes = []
    for n in range(30):
        spec = sample_spec(rng, n_objects=int(rng.integers(2, 4)))
        rel = f"scenes/scene-{n}.jpg"
        render(spec).save(os.path.join(photos, rel), "JPEG", quality=85)
        o, b = object_phrase(groups_of(spec)), background_phrase(spec)
        # two different captions that fit the 16-token context untruncated
        caps = [c for c in (f"{o} on {b}.", f"a photo of {o}.", f"{o}.", f"{o} on {b}", f"{o}")
                if len(tok.encode(c)) <= CONTEXT_LENGTH]
        scenes.append({"path": rel, "captions": caps[:2]})
    with open(os.path.join(photos, "captions.json"), "w") as f:
        json.dump({"images": scenes}, f, indent=2)
        f.write("\n")
    return shapes, scenes


@torch.no_grad()
def embed_images(model, arrays):
    return model.encode_image(torch.from_numpy(np.stack(arrays)))


@torch.no_grad()
def embed_texts(model, tok, texts):
    return model.encode_text(torch.tensor([tok.encode_fixed(t) for t in texts]))


@torch.no_grad()
def evaluate(model, tok, out, shapes, scenes):
    photos = os.path.join(out, "photos")
    img = embed_images(model, [preprocess(Image.open(os.path.join(photos, s["path"]))) for s in shapes])
    shape_prompts = [f"a photo of a {s}." for s in SHAPES]
    pairs = [(c, s) for s in SHAPES for c in COLOUR_NAMES]
    cs_prompts = [f"a photo of a {c} {s}." for c, s in pairs]
    pred_shape = (img @ embed_texts(model, tok, shape_prompts).t()).argmax(1)
    pred_cs = (img @ embed_texts(model, tok, cs_prompts).t()).argmax(1)
    shape_acc = float(np.mean([SHAPES[int(p)] == s["shape"] for p, s in zip(pred_shape, shapes)]))
    cs_acc = float(np.mean([pairs[int(p)] == (s["colour"], s["shape"]) for p, s in zip(pred_cs, shapes)]))
    colour_acc = float(np.mean([pairs[int(p)][0] == s["colour"] for p, s in zip(pred_cs, shapes)]))
    shape_from_cs = float(np.mean([pairs[int(p)][1] == s["shape"] for p, s in zip(pred_cs, shapes)]))
    scene_img = embed_images(model, [preprocess(Image.open(os.path.join(photos, s["path"]))) for s in scenes])
    queries = [(c, i) for i, s in enumerate(scenes) for c in s["captions"]]
    sims = embed_texts(model, tok, [q for q, _ in queries]) @ scene_img.t()
    ranks = [int((sims[j] > sims[j, i]).sum()) for j, (_, i) in enumerate(queries)]
    return {
        "shapeTop1": shape_acc,
        "colourTop1": colour_acc,
        "colourShapeTop1": cs_acc,
        "shapeTop1From40": shape_from_cs,
        "numImages": len(shapes),
        "shapePrompt": "a photo of a {shape}.",
        "colourShapePrompt": "a photo of a {colour} {shape}.",
        "colourTop1Note": "colour of the top-1 prediction among the 40 colour+shape prompts",
        "sceneTextToImageRecallAt1": float(np.mean([r < 1 for r in ranks])),
        "sceneTextToImageRecallAt5": float(np.mean([r < 5 for r in ranks])),
        "numSceneQueries": len(queries),
    }


def check_onnx(path):
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    assert not any(t.data_location == onnx.TensorProto.EXTERNAL for t in m.graph.initializer)
    assert all(t.data_type == onnx.TensorProto.FLOAT for t in m.graph.initializer if t.data_type in
               (onnx.TensorProto.FLOAT16, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT))

    def sig(vs):
        return {v.name: (onnx.TensorProto.DataType.Name(v.type.tensor_type.elem_type),
                         [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]) for v in vs}

    return sig(m.graph.input), sig(m.graph.output)


def export_onnx(module, args, path, inputs, outputs, dynamic_axes=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    module.eval()
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=dynamic_axes,
                      opset_version=17, do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    # The exporter names some fixed output dims symbolically; pin every dim that is not declared dynamic.
    with torch.no_grad():
        res = module(*args)
    res = res if isinstance(res, tuple) else (res,)
    m = onnx.load(path)
    for out, t in zip(m.graph.output, res):
        dyn = (dynamic_axes or {}).get(out.name, {})
        for i, d in enumerate(out.type.tensor_type.shape.dim):
            if i not in dyn:
                d.dim_value = int(t.shape[i])
    onnx.save(m, path)
    ins, outs = check_onnx(path)
    print(f"  {os.path.relpath(path)}: in {ins} out {outs}")


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def export_all(model, tok, out):
    models = os.path.join(out, "models")
    logit_scale = float(model.logit_scale.exp())
    tok_json = tok.to_json()
    V, D = tok.vocab_size, EMBED_DIM
    common_tok_cfg = {
        "bos_token": BOS, "eos_token": EOS, "pad_token": EOS, "unk_token": EOS,
        "model_max_length": CONTEXT_LENGTH, "do_lower_case": True, "add_prefix_space": False,
        "clean_up_tokenization_spaces": True, "tokenizer_class": "CLIPTokenizer",
    }

    # --- Immich layout ---
    root = os.path.join(models, "tiny-clip-immich")
    write_json(os.path.join(root, "config.json"), {
        "embed_dim": D,
        "vision_cfg": {"image_size": IMAGE_SIZE, "layers": len(VISION_LAYERS), "width": VISION_LAYERS[-1][0],
                       "patch_size": None, "model": "5-layer CNN, avg+max pooled"},
        "text_cfg": {"context_length": CONTEXT_LENGTH, "vocab_size": V, "width": TEXT_WIDTH, "heads": TEXT_HEADS,
                     "layers": TEXT_LAYERS, "pool": "first <|endoftext|> (causal mask)"},
        "logit_scale": logit_scale,
    })
    write_json(os.path.join(root, "visual", "preprocess_cfg.json"), {
        "size": [IMAGE_SIZE, IMAGE_SIZE], "mode": "RGB", "mean": CLIP_MEAN, "std": CLIP_STD,
        "interpolation": "bicubic", "resize_mode": "shortest", "fill_color": 0,
    })
    write_json(os.path.join(root, "textual", "tokenizer.json"), tok_json)
    write_json(os.path.join(root, "textual", "tokenizer_config.json"), common_tok_cfg)
    export_onnx(ImmichVisual(model), (torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE),),
                os.path.join(root, "visual", "model.onnx"), ["image"], ["embedding"])
    export_onnx(ImmichTextual(model), (torch.tensor([tok.encode_fixed("a photo of a red circle.")], dtype=torch.int32),),
                os.path.join(root, "textual", "model.onnx"), ["text"], ["embedding"])

    # --- Hugging Face / transformers.js layout ---
    root = os.path.join(models, "tiny-clip-hf")
    write_json(os.path.join(root, "config.json"), {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": D,
        "logit_scale_init_value": LOGIT_SCALE_INIT,
        "logit_scale": logit_scale,
        "text_config": {"model_type": "clip_text_model", "max_position_embeddings": CONTEXT_LENGTH, "vocab_size": V,
                        "hidden_size": TEXT_WIDTH, "num_attention_heads": TEXT_HEADS,
                        "num_hidden_layers": TEXT_LAYERS, "projection_dim": D,
                        "bos_token_id": tok.bos_id, "eos_token_id": tok.eos_id, "pad_token_id": tok.pad_id},
        "vision_config": {"model_type": "clip_vision_model", "image_size": IMAGE_SIZE, "num_channels": 3,
                          "hidden_size": VISION_LAYERS[-1][0], "projection_dim": D},
    })
    write_json(os.path.join(root, "preprocessor_config.json"), {
        "do_resize": True, "size": {"shortest_edge": IMAGE_SIZE},
        "do_center_crop": True, "crop_size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        "do_normalize": True, "image_mean": CLIP_MEAN, "image_std": CLIP_STD,
        "resample": 3, "do_convert_rgb": True, "do_rescale": True, "rescale_factor": 0.00392156862745098,
        "feature_extractor_type": "CLIPFeatureExtractor", "image_processor_type": "CLIPImageProcessor",
    })
    write_json(os.path.join(root, "tokenizer.json"), tok_json)
    write_json(os.path.join(root, "tokenizer_config.json"), common_tok_cfg)
    export_onnx(HfVision(model), (torch.zeros(2, 3, IMAGE_SIZE, IMAGE_SIZE),),
                os.path.join(root, "onnx", "vision_model.onnx"), ["pixel_values"], ["image_embeds", "last_hidden_state"],
                {"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}, "last_hidden_state": {0: "batch_size"}})
    ids = torch.tensor([tok.encode_fixed("a photo of a red circle."), tok.encode_fixed("two blue stars")])
    export_onnx(HfText(model), (ids, (ids != tok.pad_id).long() | (torch.arange(CONTEXT_LENGTH) == 0).long()),
                os.path.join(root, "onnx", "text_model.onnx"), ["input_ids", "attention_mask"],
                ["text_embeds", "last_hidden_state"],
                {"input_ids": {0: "batch_size", 1: "sequence_length"},
                 "attention_mask": {0: "batch_size", 1: "sequence_length"},
                 "text_embeds": {0: "batch_size"},
                 "last_hidden_state": {0: "batch_size", 1: "sequence_length"}})
    return logit_scale


REFERENCE_TOKEN_STRINGS = [
    "",
    "a photo of a red circle.",
    "a photo of a star.",
    "A Photo Of A Green TRIANGLE!",
    "two yellow crosses, a blue square and a purple star on a striped grey background.",
    "  lots   of\twhitespace\n here  ",
    "an orange star's shadow (dotted)",
    "don't you're we've I'm they'll she'd it's",
    "hello, world!!! ... ?!",
    "zebra giraffe xylophone",
    "unbelievable reddish circlesque",
    "café crème brûlée",
    "Straße ΣΊΣΥΦΟΣ",
    "📷 photo 🐈 cat",
    "日本語のテキスト",
    "year 2024: 3 circles & 12 stars",
    "e-mail: someone@example.com #tag",
    "a<|endoftext|>b <|startoftext|>",
    "circle-square_triangle/star\\cross",
    "a photo of a red circle and a blue square and a green triangle and a yellow star and a purple cross on a dotted teal background",
]
REFERENCE_TEXTS = [
    "a photo of a red circle.",
    "a photo of a star.",
    "a photo of a blue square.",
    "two yellow triangles on a striped grey background.",
    "a green cross and a white star",
    "A PHOTO OF A PURPLE STAR!",
]


def write_reference(model, tok, out, seed, metrics, logit_scale):
    ref_dir = os.path.join(out, "photos", "reference")
    os.makedirs(ref_dir, exist_ok=True)
    rng = rng_for(seed, STREAM_REFERENCE)
    images = []

    # 1. non-square RGB (3:2, so resize and centre-crop offsets are exact integers)
    spec = sample_spec(rng, n_objects=2)
    spec["w"], spec["h"] = 120, 80
    imgs = [("rgb-120x80.png", render(spec))]
    # 2. greyscale, portrait
    spec = sample_spec(rng, n_objects=1, colour="white", shape="star")
    spec["w"], spec["h"] = 80, 100
    imgs.append(("grey-80x100.png", render(spec).convert("L")))
    # 3. RGBA: background fully transparent (its RGB kept under alpha 0), object opaque,
    #    a semi-transparent band. convert("RGB") just drops alpha.
    spec = sample_spec(rng, n_objects=1, colour="red", shape="triangle")
    spec["w"], spec["h"] = 96, 96
    rgb = render(spec)
    alpha = Image.new("L", rgb.size, 0)
    o = spec["objects"][0]  # a 96x96 image: the central square is the whole image
    ImageDraw.Draw(alpha).polygon(shape_polygon("triangle", o["cx"] * 96, o["cy"] * 96, o["r"] * 96 * 1.1, o["theta"]),
                                  fill=255)
    ImageDraw.Draw(alpha).rectangle([0, 80, 95, 95], fill=128)
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    imgs.append(("rgba-96x96.png", rgba))
    for name, im in imgs:
        path = os.path.join(ref_dir, name)
        im.save(path, "PNG")
        reread = Image.open(path)
        assert reread.mode == im.mode, (reread.mode, im.mode)
        x = preprocess(reread)
        pix = os.path.join(ref_dir, name.replace(".png", ".f32"))
        x.astype("<f4").tofile(pix)
        emb = embed_images(model, [x])[0]
        images.append({"path": f"photos/reference/{name}", "mode": im.mode, "size": list(im.size),
                       "pixels": f"photos/reference/{name.replace('.png', '.f32')}",
                       "pixelsShape": [3, IMAGE_SIZE, IMAGE_SIZE],
                       "embedding": [float(v) for v in emb]})

    tokens = []
    for s in REFERENCE_TOKEN_STRINGS:
        ids = tok.encode(s)
        entry = {"text": s, "ids": ids}
        if len(ids) > CONTEXT_LENGTH:
            entry["truncated"] = tok.encode_fixed(s)
        tokens.append(entry)
    temb = embed_texts(model, tok, REFERENCE_TEXTS)
    texts = [{"text": t, "ids": tok.encode_fixed(t), "embedding": [float(v) for v in e]} for t, e in zip(REFERENCE_TEXTS, temb)]
    write_json(os.path.join(out, "models", "reference.json"), {
        "description": "Reference values computed by tools/train-fixture-clip.py (PyTorch + its own tokenizer and "
                       "preprocessing). Paths are relative to the fixtures root (the parent of models/).",
        "model": {
            "embedDim": EMBED_DIM, "imageSize": IMAGE_SIZE, "contextLength": CONTEXT_LENGTH,
            "vocabSize": tok.vocab_size, "bosId": tok.bos_id, "eosId": tok.eos_id, "padId": tok.pad_id,
            "logitScale": logit_scale,
            "textPooling": "first <|endoftext|> position (causal mask); last position if none",
        },
        "tokens": tokens,
        "texts": texts,
        "images": images,
        "zeroShot": metrics,
    })


def dir_size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="test/fixtures")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--pool", type=int, default=24000, help="number of pre-rendered training images")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    t_start = time.time()

    tok = build_tokenizer(args.seed)
    print(f"tokenizer: vocab {tok.vocab_size} ({len(tok.merges)} merges), eot/pad id {tok.eos_id}")

    t0 = time.time()
    chunk = 1000
    jobs = [(args.seed, i, min(chunk, args.pool - i * chunk)) for i in range((args.pool + chunk - 1) // chunk)]
    with mp.get_context("fork").Pool(2) as pool:
        parts = pool.map(generate_chunk, jobs)
    pixels = torch.from_numpy(np.concatenate([p for p, _ in parts]))
    specs = [s for _, ss in parts for s in ss]
    print(f"training pool: {len(specs)} images in {time.time() - t0:.1f}s")

    model = TinyClip(tok.vocab_size, tok.eos_id)
    nparams = sum(p.numel() for p in model.parameters())
    print(f"model: {nparams} parameters "
          f"(image {sum(p.numel() for p in model.visual.parameters())}, text {sum(p.numel() for p in model.text.parameters())})")
    t0 = time.time()
    np.finfo(np.float32), np.finfo(np.float64)  # cache before flushing subnormals (avoids numpy warnings)
    torch.set_flush_denormal(True)
    train(model, tok, pixels, specs, args.steps, args.batch, args.seed)
    train_time = time.time() - t0
    print(f"training: {args.steps} steps x {args.batch} in {train_time:.1f}s")
    del pixels

    shapes, scenes = write_heldout(args.out, args.seed, tok)
    metrics = evaluate(model, tok, args.out, shapes, scenes)
    metrics["steps"], metrics["batch"], metrics["seed"] = args.steps, args.batch, args.seed
    logit_scale = export_all(model, tok, args.out)
    write_reference(model, tok, args.out, args.seed, metrics, logit_scale)

    print("\nmetrics (held-out JPEGs):")
    for k in ("shapeTop1", "colourTop1", "colourShapeTop1", "shapeTop1From40",
              "sceneTextToImageRecallAt1", "sceneTextToImageRecallAt5"):
        print(f"  {k:28s} {metrics[k]:.3f}")
    print(f"  logit scale                  {logit_scale:.2f}")
    print("\nsizes:")
    for p in ("models/tiny-clip-immich", "models/tiny-clip-hf", "models/reference.json", "photos"):
        full = os.path.join(args.out, p)
        print(f"  {p:28s} {(dir_size(full) if os.path.isdir(full) else os.path.getsize(full)) / 1024:8.1f} KiB")
    print(f"total time {time.time() - t_start:.1f}s")
    ok = metrics["shapeTop1"] >= 0.95 and metrics["colourTop1"] >= 0.95 and metrics["colourShapeTop1"] >= 0.85
    if not ok:
        print("WARNING: zero-shot targets (shape >= 0.95, colour >= 0.95, colour+shape >= 0.85) not met", file=sys.stderr)


if __name__ == "__main__":
    main()
