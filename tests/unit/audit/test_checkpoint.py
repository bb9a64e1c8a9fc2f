"""Signed notes and checkpoints: published known answers (Go's sumdb/note, C2SP), formats, tampering, key files."""
from __future__ import annotations

import base64
import hashlib
import os
import stat
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lrs.eventlog import checkpoint as C

# golang.org/x/mod/sumdb/note (note_test.go, example_test.go): a private key seed, its vkey, a text and the
# exact signed note Go produces for it. Ed25519 is deterministic, so our signer must produce the same bytes.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6K"
             "E6RyyBwJnAM=\n")
ENOCH_SIG = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1R"
             "vMc+QQ=\n")
# c2sp.org/signed-note, "Verifier keys" example.
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = ("This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlT"
             "gK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n")

ORIGIN = "lrs.district.example/log"
ROOT = hashlib.sha256(b"some root").digest()
TS = "2024-05-06T07:08:09.123456Z"


def peter_key() -> Ed25519PrivateKey:
    seed = base64.b64decode(PETER_SKEY.split("+", 4)[4])  # base64 may contain '+' itself
    assert seed[0] == 1  # the algorithm byte
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


# --- known answers ----------------------------------------------------------------------------------------------

def test_sign_matches_go_note_byte_for_byte() -> None:
    key = peter_key()
    assert C.sign_note(TEXT, key, "PeterNeumann") == TEXT + "\n" + PETER_SIG
    assert C.key_id("PeterNeumann", C.public_key_bytes(key)).hex() == "c74f20a3"
    assert C.verifier_key("PeterNeumann", key) == PETER_VKEY


def test_key_id_is_sha256_of_name_newline_type_key() -> None:
    name, kid, pub = C.parse_verifier_key(PETER_VKEY)
    assert kid == hashlib.sha256(b"PeterNeumann\n\x01" + pub).digest()[:4]
    assert C.key_json(pub, name) == {"key_id": "c74f20a3", "algorithm": "ed25519", "public_key": pub.hex()}


def test_open_go_and_c2sp_examples() -> None:
    name, _, pub = C.parse_verifier_key(C2SP_VKEY)
    body, sig = C.open_note(C2SP_NOTE, pub, name)
    assert body == "This is an example message.\n"
    assert (sig.name, sig.key_id.hex()) == ("example.com/foo", "530d903a")
    # Two signatures, one from a key we do not know: it is ignored, ours is verified.
    _, _, peter = C.parse_verifier_key(PETER_VKEY)
    _, _, enoch = C.parse_verifier_key(ENOCH_VKEY)
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert C.open_note(note, peter, "PeterNeumann")[1].name == "PeterNeumann"
    assert C.open_note(note, enoch)[1].name == "EnochRoot"
    assert C.parse_note(note) == (TEXT, [C.NoteSignature("PeterNeumann", bytes.fromhex("c74f20a3"),
                                                         base64.b64decode(PETER_SIG.split()[2])[4:]),
                                         C.NoteSignature("EnochRoot", bytes.fromhex("af0cfe78"),
                                                         base64.b64decode(ENOCH_SIG.split()[2])[4:])])


@pytest.mark.parametrize("vkey", [
    "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",  # Go: wrong key length
    "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",          # Go: unknown algorithm
    "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",          # ID does not match
    "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "PeterNeumann+c74f20a3",
    "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T!",
])
def test_bad_verifier_keys(vkey: str) -> None:
    with pytest.raises(C.NoteError):
        C.parse_verifier_key(vkey)


# --- note syntax ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("note, message", [
    (TEXT, "no blank line"),                                         # Go's badMsgs, in order
    (TEXT + "\n", "no signature lines"),
    (TEXT + "\n" + PETER_SIG[:-1], "does not end with a newline"),
    ("\x01" + TEXT + "\n" + PETER_SIG, "control character (U+0001)"),
    (b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), "not valid UTF-8"),
    (TEXT + "\n\u2014 Bad Name x08go/ZJku\n", "signature line 1 is not valid base64"),  # name "Bad"
    (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "signature line 2 does not start with an em dash"),
    (TEXT + "\n- PeterNeumann x08go/ZJku\n", "does not start with an em dash"),
    (TEXT + "\n\u2014 PeterNeumann x08go/ZJk\n", "signature line 1 is not valid base64"),
    (TEXT + "\n\u2014 PeterNeumann AAAA\n", "too short"),
    (TEXT + "\n\u2014 Peter+Neumann x08go/ZJku\n", "no valid key name"),
    (TEXT + "\n" + PETER_SIG * 101, "more than 100 signatures"),
    ("ok\n\n\u2014 a\ud800b AAAAAAAA\n", "not valid UTF-8"),
])
def test_parse_errors_say_what_is_wrong(note: str | bytes, message: str) -> None:
    with pytest.raises(C.NoteError, match="^[^\n]*$") as info:
        C.parse_note(note)
    assert message in str(info.value)


def test_the_last_blank_line_separates_the_signatures() -> None:
    body, sigs = C.parse_note("a\n\nb\n\n" + PETER_SIG)
    assert body == "a\n\nb\n" and len(sigs) == 1


# --- checkpoints ------------------------------------------------------------------------------------------------

def test_checkpoint_text_format_exactly() -> None:
    key = peter_key()
    cp = C.sign_checkpoint(ORIGIN, 1234, ROOT, key, timestamp=TS)
    body = f"{ORIGIN}\n1234\n{base64.b64encode(ROOT).decode()}\ntimestamp {TS}\n"
    sig = key.sign(body.encode())   # Ed25519 is deterministic
    kid = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + C.public_key_bytes(key)).digest()[:4]
    assert cp.note == body + "\n\u2014 " + ORIGIN + " " + base64.b64encode(kid + sig).decode() + "\n"
    assert cp.as_json() == {"size": 1234, "root_hash": ROOT.hex(), "timestamp": TS, "key_id": kid.hex(),
                            "signature": sig.hex(), "note": cp.note}
    assert cp.body == body
    assert (cp.origin, cp.key_name, cp.root, cp.extensions) == (ORIGIN, ORIGIN, ROOT, (f"timestamp {TS}",))


def test_sign_verify_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    pub = C.public_key_bytes(key)
    when = datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    cp = C.sign_checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest(), key, "lrs-key", when)
    assert cp.timestamp == "2024-01-02T03:04:05.000006Z"
    back = C.verify_note(cp.note, pub, "lrs-key", origin=ORIGIN)
    assert back == cp
    assert C.verify_note(cp.note.encode(), pub.hex()) == cp
    assert C.verify_note(cp.note, key.public_key()) == cp
    # Default timestamp is now, and the root may be given as hex.
    now = C.sign_checkpoint(ORIGIN, 5, ROOT.hex(), key)
    assert now.root_hash == ROOT.hex() and now.timestamp is not None and now.timestamp[:2] == "20"


def test_notes_verify_with_go_style_vkey() -> None:
    key = Ed25519PrivateKey.generate()
    cp = C.sign_checkpoint(ORIGIN, 7, ROOT, key, timestamp=TS)
    name, kid, pub = C.parse_verifier_key(C.verifier_key(ORIGIN, key))
    assert (name, kid.hex()) == (ORIGIN, cp.key_id)
    assert C.verify_note(cp.note, pub, name).size == 7


def test_tampering_fails_with_a_reason() -> None:
    key = Ed25519PrivateKey.generate()
    pub = C.public_key_bytes(key)
    cp = C.sign_checkpoint(ORIGIN, 1234, ROOT, key, timestamp=TS)
    cases = {
        "body": cp.note.replace("\n1234\n", "\n1235\n"),
        "timestamp": cp.note.replace(TS, TS.replace("2024", "2023")),
        "signature": cp.note[:-10] + ("A" if cp.note[-10] != "A" else "B") + cp.note[-9:],
    }
    for what, note in cases.items():
        with pytest.raises(C.NoteError, match="does not verify"):
            C.verify_note(note, pub)
    # Another key name: the key ID no longer matches, so the signature is not ours at all.
    renamed = cp.note.replace("\u2014 " + ORIGIN, "\u2014 other.example/log")
    with pytest.raises(C.NoteError, match="not signed by"):
        C.verify_note(renamed, pub)
    with pytest.raises(C.NoteError, match=f"not signed by {ORIGIN}"):
        C.verify_note(cp.note, pub, ORIGIN + "x")
    with pytest.raises(C.NoteError, match="not signed by"):
        C.verify_note(cp.note, C.public_key_bytes(Ed25519PrivateKey.generate()))
    with pytest.raises(C.NoteError, match="for log"):
        C.verify_note(cp.note, pub, origin="other.example/log")
    # A second signature by a key we know that fails verification rejects the whole note.
    raw = bytearray(base64.b64decode(cp.note.split()[-1]))
    raw[10] ^= 1  # inside the signature, after the 4-byte key ID
    forged = cp.note + "\u2014 " + ORIGIN + " " + base64.b64encode(bytes(raw)).decode() + "\n"
    with pytest.raises(C.NoteError, match="does not verify"):
        C.verify_note(forged, pub)


@pytest.mark.parametrize("body, message", [
    ("origin\n12\n", "fewer than three lines"),
    ("\n12\n" + base64.b64encode(ROOT).decode() + "\n", "origin line is empty"),
    ("o\n012\n" + base64.b64encode(ROOT).decode() + "\n", "without leading zeros"),
    ("o\n-1\n" + base64.b64encode(ROOT).decode() + "\n", "without leading zeros"),
    ("o\n1 \n" + base64.b64encode(ROOT).decode() + "\n", "without leading zeros"),
    ("o\n1\n" + base64.b64encode(ROOT[:31]).decode() + "\n", "32-byte hash"),
    ("o\n1\n" + ROOT.hex() + "\n", "root hash line"),
    ("o\n1\n" + base64.b64encode(ROOT).decode() + "\n\nx\n", "empty extension line"),
])
def test_checkpoint_body_errors(body: str, message: str) -> None:
    key = Ed25519PrivateKey.generate()
    note = C.sign_note(body, key, "k")
    with pytest.raises(C.NoteError, match=message):
        C.verify_note(note, C.public_key_bytes(key), "k")


def test_parse_c2sp_checkpoint_example_and_extensions() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    origin, size, root, ext = C.parse_checkpoint_body(body)
    assert (origin, size, len(root), ext) == ("example.com/behind-the-sofa", 20852163, 32, ())
    assert C.checkpoint_body(origin, size, root) == body
    # Foreign extension lines are kept, and a note without a timestamp has timestamp None.
    key = Ed25519PrivateKey.generate()
    note = C.sign_note(body + "other thing\n", key, "k")
    cp = C.verify_note(note, C.public_key_bytes(key))
    assert cp.timestamp is None and cp.extensions == ("other thing",) and cp.size == 20852163
    two = C.sign_note(body + f"timestamp {TS}\ntimestamp {TS}\n", key, "k")
    with pytest.raises(C.NoteError, match="more than one timestamp"):
        C.verify_note(two, C.public_key_bytes(key))


def test_sign_checkpoint_rejects_bad_input() -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(C.NoteError, match="key name"):
        C.sign_checkpoint("has space", 1, ROOT, key)            # the origin is the default key name
    with pytest.raises(C.NoteError, match="origin"):
        C.sign_checkpoint("a\nb", 1, ROOT, key, "k")
    with pytest.raises(C.NoteError, match="size"):
        C.sign_checkpoint(ORIGIN, -1, ROOT, key)
    with pytest.raises(C.NoteError, match="root"):
        C.sign_checkpoint(ORIGIN, 1, b"short", key)
    with pytest.raises(C.NoteError, match="timestamp"):
        C.sign_checkpoint(ORIGIN, 1, ROOT, key, timestamp="yesterday")
    with pytest.raises(C.NoteError, match="end with a newline"):
        C.sign_note("no newline", key, "k")


# --- key files --------------------------------------------------------------------------------------------------

def test_key_file_created_once_with_mode_0600(tmp_path) -> None:
    path = tmp_path / "keys" / "audit.pem"
    old = os.umask(0o022)
    try:
        key, pub = C.load_or_create_key(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert pub == C.public_key_bytes(key) and len(pub) == 32
    before = path.read_bytes()
    key2, pub2 = C.load_or_create_key(str(path))
    assert pub2 == pub and path.read_bytes() == before
    # The same key signs the same note.
    assert key2.sign(b"x") == key.sign(b"x")


def test_existing_bad_files_are_never_overwritten(tmp_path) -> None:
    cases = {
        "empty.pem": b"",
        "junk.pem": b"not a key\n",
        "ec.pem": generate_private_key(SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
        "enc.pem": Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pw")),
    }
    messages = {"empty.pem": "not a PEM (PKCS8) private key", "junk.pem": "not a PEM (PKCS8) private key",
                "ec.pem": "not an Ed25519 key", "enc.pem": "is encrypted"}
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(C.KeyFileError) as info:
            C.load_or_create_key(p)
        assert messages[name] in str(info.value) and "\n" not in str(info.value)
        assert p.read_bytes() == data


def test_unreadable_key_file(tmp_path) -> None:
    with pytest.raises(C.KeyFileError, match="cannot read"):
        C.load_or_create_key(tmp_path)  # a directory
    if os.geteuid() != 0:  # root reads anything
        p = tmp_path / "k.pem"
        C.load_or_create_key(p)
        p.chmod(0)
        with pytest.raises(C.KeyFileError, match="cannot read"):
            C.load_or_create_key(p)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(C.KeyFileError, match="cannot create"):
        C.load_or_create_key(blocker / "audit.pem")  # parent is a file


def test_vkey_whose_base64_contains_plus_round_trips() -> None:
    for i in range(256):
        key = Ed25519PrivateKey.from_private_bytes(bytes([i]) * 32)
        vkey = C.verifier_key("k.example/log", key)
        if "+" in vkey.split("+", 2)[2]:
            break
    else:  # pragma: no cover - each key has ~50% chance, 256 misses are impossible in practice
        pytest.fail("no key with '+' in its base64")
    assert C.parse_verifier_key(vkey)[2] == C.public_key_bytes(key)
