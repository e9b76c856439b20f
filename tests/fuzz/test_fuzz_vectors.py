"""Fuzz every vectors reader with mutated real files (issue 23): each input loads to exactly what
the reference tool reads (gensim's ``KeyedVectors.load_word2vec_format`` for word2vec and GloVe
files, fastText for ``.bin``, the safetensors library for the tensors of WordLlama and model2vec
files), or is refused with a ``VectorsFormatError`` naming the file; never another exception, a
hang past the deadline, or (``test_size_bombs.py``) memory far beyond the file's size.

The seeds are real files: gensim's own test files (written by word2vec, GloVe and fastText) and
small token-vector files written the way WordLlama and model2vec write theirs.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given

from nlptransfer.errors import NLPTransferError
from nlptransfer.vectors.read import read_vectors
from tests.conftest import gensim_data
from tests.fuzz.harness import deadline, loaded, refused, run_property
from tests.fuzz.mutations import HEAD_BIASED, MUTATIONS, mutate

KeyedVectors = pytest.importorskip("gensim.models").KeyedVectors


@dataclass
class Target:
    """One reader under fuzz: a seed file and how to read it, ours and the reference's way."""

    name: str
    seed: bytes
    filename: str
    read: Callable[[Path], object]
    #: ``(words, matrix)`` as the reference tool reads the file; raises when it refuses it.
    reference: Callable[[Path], tuple[list[str], np.ndarray]] | None


#: A word and the last ``dim`` whitespace-separated fields of a line.
_ROW = rb"^(.*?)((?:[ \t\r\x0b\x0c]+\S+){%d})$"


def _as_text_rows(data: bytes, dim: int, header: bool, space: bytes) -> bytes:
    """The lines of a text vectors file as gensim can read them, where they differ from it only
    by what the text readers accept on purpose: runs of ASCII whitespace between values (spaces,
    tabs, and the carriage return, vertical tab and form feed that ``bytes.split`` also splits on), trailing
    whitespace, and (GloVe 840B) a word holding spaces, which is everything before the last
    ``dim`` fields. The spaces of such a word become ``space`` (mapped back after)."""
    row = re.compile(_ROW % dim)
    out = []
    for number, line in enumerate(data.split(b"\n")):
        stripped = line.rstrip(b" \t\r\x0b\x0c")
        found = row.match(stripped) if stripped and not (header and number == 0) else None
        if found is None:
            out.append(line)
            continue
        word, values = found.groups()
        out.append(word.replace(b" ", space) + b" " + b" ".join(values.split()))
    return b"\n".join(out)


def _declared_dim(data: bytes, header: bool) -> int | None:
    """The dimension as gensim takes it: the header's second field, or (no header) the fields of
    the first line but one."""
    fields = data.split(b"\n", 1)[0].split()
    if not header:
        return len(fields) - 1 if len(fields) > 1 else None
    try:
        return int(fields[1])
    except (IndexError, ValueError):
        return None


def _gensim(binary: bool, no_header: bool = False):
    def read(path: Path) -> tuple[list[str], np.ndarray]:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)  # what the reference sees: the file's own stream
        if not binary and data.startswith(b"\xef\xbb\xbf"):  # only the first is a BOM
            data = data[3:]  # skipped on purpose (issue 23, item 11); gensim refuses it
        reference = path.with_name("reference" + path.suffix.replace(".gz", ".txt"))
        reference.write_bytes(data)
        try:
            kv = KeyedVectors.load_word2vec_format(
                str(reference), binary=binary, no_header=no_header, unicode_errors="replace"
            )  # "replace": our default too
            return _without_empty_slots(list(kv.index_to_key), kv.vectors)
        except Exception:
            dim = None if binary else _declared_dim(data, header=not no_header)
            if dim is None:
                raise
        # A control byte the file does not hold stands for the spaces inside words.
        space = next(bytes([c]) for c in range(1, 32) if bytes([c]) not in data + b"\t\n\r")
        reference.write_bytes(_as_text_rows(data, dim, not no_header, space))
        kv = KeyedVectors.load_word2vec_format(
            str(reference), binary=False, no_header=no_header, unicode_errors="replace"
        )
        words = [w if w is None else w.replace(space.decode(), " ") for w in kv.index_to_key]
        return _without_empty_slots(words, kv.vectors)

    return read


def _without_empty_slots(words: list, matrix: np.ndarray) -> tuple[list[str], np.ndarray]:
    """gensim skips a duplicate word of a text file but leaves its slot: key ``None``, a row of
    zeros. The readers keep the first row of each word, as gensim does, without the slot."""
    kept = [i for i, word in enumerate(words) if word is not None]
    return [words[i] for i in kept], matrix[kept]


def _word2vec_files(tmp: Path) -> tuple[bytes, bytes]:
    full = KeyedVectors.load_word2vec_format(str(gensim_data("euclidean_vectors.bin")), binary=True)
    kv = KeyedVectors(full.vector_size)
    kv.add_vectors(full.index_to_key[:8], full.vectors[:8])
    kv.save_word2vec_format(str(tmp / "w.bin"), binary=True)
    kv.save_word2vec_format(str(tmp / "w.txt"), binary=False)
    return (tmp / "w.bin").read_bytes(), (tmp / "w.txt").read_bytes()


def _vec_head(rows: int) -> bytes:
    """The first rows of a real fastText ``.vec`` (its header's count set to match)."""
    lines = gensim_data("crime-and-punishment.vec").read_bytes().split(b"\n")
    dim = lines[0].split()[1]
    return b"\n".join([b"%d %s" % (rows, dim), *lines[1 : rows + 1]]) + b"\n"


@pytest.fixture(scope="module")
def targets(tmp_path_factory) -> dict[str, Target]:
    tmp = tmp_path_factory.mktemp("seeds")
    binary, text = _word2vec_files(tmp)
    glove = b"".join(gensim_data("test_glove.txt").read_bytes().splitlines(keepends=True)[:12])
    return {
        "word2vec-bin": Target(
            "word2vec-bin",
            binary,
            "v.bin",
            lambda p: read_vectors(p, format="word2vec-bin"),
            _gensim(True),
        ),
        "word2vec-text": Target(
            "word2vec-text",
            text,
            "v.txt",
            lambda p: read_vectors(p, format="word2vec-text"),
            _gensim(False),
        ),
        "fasttext-vec": Target(
            "fasttext-vec",
            _vec_head(10),
            "v.vec",
            lambda p: read_vectors(p, format="word2vec-text"),
            _gensim(False),
        ),
        "glove": Target(
            "glove",
            glove,
            "g.txt",
            lambda p: read_vectors(p, format="glove"),
            _gensim(False, True),
        ),
        "word2vec-text-gz": Target(
            "word2vec-text-gz",
            gzip.compress(text, mtime=0),
            "v.txt.gz",
            lambda p: read_vectors(p, format="word2vec-text"),
            _gensim(False),
        ),
        "detected": Target("detected", glove, "d.txt", read_vectors, None),
    }


def check(target: Target, folder: Path, data: bytes) -> None:
    """The property, for one mutated file."""
    path = folder / target.filename
    path.write_bytes(data)
    try:
        with deadline():
            ours = target.read(path)
    except NLPTransferError as error:
        refused(target.name, error, path)
        return
    words, matrix = list(ours.words), np.asarray(ours.matrix)
    assert matrix.shape == (len(words), matrix.shape[1]) and len(set(words)) == len(words)
    assert np.isfinite(matrix).all(), "loaded NaN or inf"
    if target.reference is None:
        loaded(target.name, "loaded-checked")
        return
    try:
        expected_words, expected = target.reference(path)
    except Exception as error:  # the reference refuses it: so must we
        raise AssertionError(f"loaded a file the reference refuses ({error!r})") from None
    assert words == expected_words
    np.testing.assert_array_equal(matrix, expected)
    loaded(target.name)


TEXT_READERS = ["word2vec-bin", "word2vec-text", "fasttext-vec", "glove", "word2vec-text-gz"]


@pytest.mark.parametrize("name", [*TEXT_READERS, "detected"])
def test_mutated_word2vec_glove_and_vec_files(targets, tmp_path, name):
    target = targets[name]

    @given(mutations=MUTATIONS)
    @example(mutations=[("insert", 0.0, b"\xef\xbb\xbf")])  # a BOM before the header
    @example(mutations=[("insert", 0.0, b"\xef\xbb\xbf")] * 3)  # then U+FEFF U+FEFF in a word
    @example(mutations=[("overwrite", 0.25, b"\x0b")])  # a vertical tab between values
    @example(mutations=[("overwrite", 0.25, b"\r")])  # a carriage return between values
    @example(mutations=[("insert", 0.005859375, b"\xef\xbb\xbf")])  # U+FEFF after the header
    @example(mutations=[("truncate", 0.5, b"")])
    @example(mutations=[("insert", 0.603515625, b" ")])  # two spaces between values
    @example(mutations=[("insert", 0.0, b" ")])  # GloVe: a word " the"
    @example(mutations=[("insert", 0.0, b" "), ("truncate", 0.0625, b"")])  # and a short row
    @example(mutations=[("insert", 0.0, b"\x01")])  # a control byte in a word
    @example(mutations=[("truncate", 0.0625, b""), ("truncate", 0.0625, b"")])  # IndexError
    @example(mutations=[("delete", 0.408203125, b"\x00\x00")])  # a duplicate word (vec)
    @example(mutations=[("insert", 0.0, b"\xef\xbb\xbf"), ("insert", 0.0, b"\xef\xbb\xbf")])
    def run(mutations):
        check(target, tmp_path, mutate(target.seed, mutations))

    run_property(run)


# --- fastText .bin / .ftz ------------------------------------------------------------------------


def test_mutated_fasttext_bin(tmp_path):
    """Single-byte edits of a real ``.bin``: the original, another model fastText itself reads
    and saves back byte for byte, or refused (the checks of ``test_fasttext_binary.py``)."""
    ft_tests = pytest.importorskip("tests.vectors.formats.test_fasttext_binary")
    from hypothesis import strategies as st

    from nlptransfer.vectors.formats.fasttext_binary import read_fasttext_binary

    path = ft_tests.model_path("crime-and-punishment.bin")
    data = path.read_bytes()
    fuzz_target = (data, read_fasttext_binary(path), tmp_path / "mutated.bin")

    @given(
        change=st.sampled_from(["insert", "delete", "overwrite"]),
        at=st.integers(0, len(data) - 1),
        byte=st.integers(0, 255),
    )
    def run(change, at, byte):
        try:
            with deadline():
                ft_tests.check_mutation(fuzz_target, change, at, byte)
        except AssertionError:
            raise
        counted = "project-error" if _refuses(fuzz_target[2]) else "loaded-equal"
        loaded("fasttext-bin", counted)

    run_property(run)


def _refuses(path: Path) -> bool:
    try:
        read_vectors(path, format="fasttext-bin")
    except NLPTransferError:
        return True
    return False


def test_mutated_fasttext_ftz(tmp_path, shared_file):
    """A quantized model (lid.176.ftz): loaded with finite rows, one per word, or refused.
    fastText itself can crash on a corrupt ``.ftz``, so it is not run on the mutants."""
    seed = shared_file("vectors/lid.176.ftz").read_bytes()
    path = tmp_path / "m.ftz"

    @given(mutations=HEAD_BIASED)
    def run(mutations):
        path.write_bytes(mutate(seed, mutations))
        try:
            with deadline():
                ours = read_vectors(path, format="fasttext-bin")
        except NLPTransferError as error:
            refused("fasttext-ftz", error, path)
            return
        assert ours.matrix.shape[0] == len(ours.words) == len(set(ours.words))
        assert np.isfinite(ours.matrix).all()
        loaded("fasttext-ftz", "loaded-checked")

    run_property(run)


# --- token vectors: WordLlama and model2vec (safetensors) ----------------------------------------


@pytest.fixture(scope="module")
def token_files(tmp_path_factory):
    """A small WordLlama file (``embedding.weight`` [tokens, 4] float16, the tokenizer beside it)
    and the model2vec folder written from it."""
    pytest.importorskip("tokenizers")
    pytest.importorskip("safetensors")
    from safetensors.numpy import save_file
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace

    from nlptransfer.vectors.convert import write_vectors

    folder = tmp_path_factory.mktemp("tokens")
    words = ["[UNK]", "the", "film", "was", "good", "bad", "plot", "dull", "a", "fine"]
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(len(words), 4)).astype(np.float16)
    save_file({"embedding.weight": weights}, str(folder / "tiny_4.safetensors"))
    vectors = read_vectors(folder / "tiny_4.safetensors", format="wordllama")
    model2vec = write_vectors(vectors, folder / "m2v", "model2vec")
    return folder, model2vec


def _safetensors_reference(path: Path, key: str) -> np.ndarray:
    from safetensors.numpy import load_file

    tensors = load_file(str(path))
    return tensors[key]


@pytest.mark.parametrize("fmt", ["wordllama", "model2vec"])
def test_mutated_token_vector_files(token_files, tmp_path, fmt):
    source_folder, model2vec = token_files
    if fmt == "wordllama":
        folder = tmp_path / "wl"
        folder.mkdir()
        (folder / "tokenizer.json").write_bytes((source_folder / "tokenizer.json").read_bytes())
        seed_path = source_folder / "tiny_4.safetensors"
        target, key = folder / "tiny_4.safetensors", "embedding.weight"
        to_read = target
    else:
        import shutil

        folder = tmp_path / "m2v"
        shutil.copytree(model2vec, folder)
        seed_path = model2vec / "model.safetensors"
        target, key = folder / "model.safetensors", "embeddings"
        to_read = folder
    seed = seed_path.read_bytes()

    @given(mutations=HEAD_BIASED)
    @example(  # a NaN in a WordLlama row used to load
        mutations=[("insert", 0.0, b"\x00"), ("delete", 0.0, b"\x00"), ("overwrite", 0.625, b"|")]
    )
    def run(mutations):
        target.write_bytes(mutate(seed, mutations))
        try:
            with deadline():
                ours = read_vectors(to_read, format=fmt)
        except NLPTransferError as error:
            refused(fmt, error, target, to_read)
            return
        try:
            expected = _safetensors_reference(target, key)
        except Exception as error:
            raise AssertionError(f"loaded a file safetensors refuses ({error!r})") from None
        np.testing.assert_array_equal(ours.matrix, expected.astype(np.float32))
        assert np.isfinite(ours.matrix).all()
        loaded(fmt)

    run_property(run)


def test_the_json_beside_token_vectors(token_files, tmp_path):
    """model2vec's config.json and tokenizer.json, mutated: loaded or refused, naming a file."""
    import shutil

    _, model2vec = token_files
    folder = tmp_path / "m2v"
    shutil.copytree(model2vec, folder)
    seeds = {name: (model2vec / name).read_bytes() for name in ("config.json", "tokenizer.json")}

    @given(which=st_sampled(sorted(seeds)), mutations=MUTATIONS)
    @example(which="config.json", mutations=[("insert", 0.0, b"\x80")])  # raw UnicodeDecodeError
    @example(which="tokenizer.json", mutations=[("insert", 0.0, b"\x80")])  # likewise
    def run(which, mutations):
        for name, data in seeds.items():
            (folder / name).write_bytes(mutate(data, mutations) if name == which else data)
        try:
            with deadline():
                ours = read_vectors(folder, format="model2vec")
        except NLPTransferError as error:
            refused("model2vec-json", error, folder)
            return
        assert ours.matrix.shape[0] == len(ours.words)
        loaded("model2vec-json", "loaded-checked")

    run_property(run)


def st_sampled(values):
    from hypothesis import strategies as st

    return st.sampled_from(values)
