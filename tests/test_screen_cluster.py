"""``unspin screen --cluster``: spun copies inside the corpus get one cluster_id (the first
member's id) and cluster_size; the same with several workers, after --resume, and when the pass
is run again over shards it already rewrote; Ray says it does not support it."""

import json
import os
import subprocess

from test_screen import _cli, _env, kill_after_first_shard, read_out, write_jsonl

SOURCE = ("Hundreds of people have been forced to leave their homes in the Southern Highlands of New South "
          "Wales as strong winds today pushed a huge bushfire towards the town of Hill Top. A new blaze near "
          "Goulburn has forced the closure of the Hume Highway.")
SPUN = ("Hundreds of individuals have been compelled to abandon their houses in the Southern Highlands of New "
        "South Wales as powerful winds today drove an enormous bushfire towards the town of Hill Top. A fresh "
        "blaze close to Goulburn has forced the shutting of the Hume Highway.")
OTHERS = [
    "The Reserve Bank has cut official interest rates again, still worried about the slowing global economy "
    "and the rising number of people out of work across the country this year.",
    "Seles said she had expected her match with Razzano to be tough because the young player was one of the "
    "best juniors in the world only a few seasons ago.",
    "The python standard library provides a module for reading and writing compressed files in the gzip "
    "format, with the same interface as ordinary file objects.",
]


def corpus(n_extra=0):
    texts = [OTHERS[0], SOURCE, OTHERS[1], SPUN, OTHERS[2]]
    texts += [f"Record {i} of the filler: the weather in town number {i} stayed mild and dry all week."
              f" {'Farmers' if i % 2 else 'Teachers'} in district {i * 7} reported {i * 3} new cases."
              for i in range(n_extra)]
    return [{"id": f"r{i}", "text": t, "keep": i} for i, t in enumerate(texts)]


def by_id(recs):
    return {r["id"]: r for r in recs}


def test_cluster_groups_a_spun_copy_with_its_source(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, corpus())
    code, _, err = run_cli(["screen", str(src), "-o", str(tmp_path / "out.jsonl"), "--cluster", "--workers", "1"])
    assert code == 0, err
    out = by_id(read_out(tmp_path / "out.jsonl"))
    assert len(out) == 5 and out["r2"]["keep"] == 2
    assert (out["r1"]["cluster_id"], out["r1"]["cluster_size"]) == ("r1", 2)
    assert (out["r3"]["cluster_id"], out["r3"]["cluster_size"]) == ("r1", 2)
    for i in (0, 2, 4):
        assert (out[f"r{i}"]["cluster_id"], out[f"r{i}"]["cluster_size"]) == (f"r{i}", 1)
    assert "spin_score" not in out["r1"]  # --cluster alone adds only its fields
    summary = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert summary["clusters"] == 1 and summary["clustered_documents"] == 2


def test_cluster_with_workers_and_shards_equals_one_worker(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, corpus(4))
    one, two = tmp_path / "one.jsonl", str(tmp_path / "two") + "/"
    assert run_cli(["screen", str(src), "-o", str(one), "--cluster", "--workers", "1"])[0] == 0
    code, _, err = run_cli(["screen", str(src), "-o", str(two), "--cluster", "--workers", "2", "--shard-size", "2"])
    assert code == 0, err
    a, b = read_out(one), read_out(two)
    assert len(a) == len(b) == 9 and by_id(a) == by_id(b)
    assert by_id(b)["r3"]["cluster_id"] == "r1"


def test_cluster_pass_run_again_gives_the_same_shards(tmp_path):
    # --resume after a kill during the cluster pass re-runs the pass over shards it partly rewrote
    from unspin.screening.cluster import cluster_shards
    from unspin.screening.formats import read_shard, write_shard

    recs = corpus(2)
    shards = [str(tmp_path / "part-0.jsonl"), str(tmp_path / "part-1.jsonl")]
    write_shard(shards[0], ".jsonl", recs[:4])
    write_shard(shards[1], ".jsonl", recs[4:])
    kw = dict(text_field="text", id_field="id", folder=str(tmp_path))
    cluster_shards(shards, [4, 3], ".jsonl", **kw)
    first = [read_shard(s, ".jsonl") for s in shards]
    cluster_shards(shards, [4, 3], ".jsonl", workers=2, **kw)
    assert [read_shard(s, ".jsonl") for s in shards] == first
    assert first[0][3]["cluster_id"] == "r1" and sum(len(s) for s in first) == 7
    assert sorted(os.listdir(tmp_path)) == ["part-0.jsonl", "part-1.jsonl"]  # the index is removed


def test_cluster_resume_after_kill_9(tmp_path):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, corpus(19))
    common = ["--cluster", "--shard-size", "2", "--workers", "2"]
    whole = tmp_path / "whole.jsonl"
    subprocess.run(_cli(str(src), "-o", str(whole), *common), env=_env(), check=True, timeout=600)
    out = tmp_path / "out.jsonl"
    kill_after_first_shard(src, out, common)
    assert not out.exists()
    subprocess.run(_cli(str(src), "-o", str(out), *common, "--resume"), env=_env(), check=True, timeout=600)
    a, b = read_out(out), read_out(whole)
    assert len(a) == len(b) == 24 and by_id(a) == by_id(b)
    assert by_id(a)["r3"]["cluster_id"] == "r1"


def test_cluster_usage_errors(tmp_path, run_cli):
    src = tmp_path / "in.jsonl"
    write_jsonl(src, corpus())
    code, _, err = run_cli(["screen", str(src), "-o", str(tmp_path / "o/"), "--cluster", "--engine", "ray"])
    assert code == 2 and "--cluster" in err and "Traceback" not in err
    assert [line for line in err.splitlines() if "error" in line] == [
        "unspin: error: --cluster applies to --engine local (not supported on Ray yet)"]
    code, _, err = run_cli(["screen", str(src), "-o", str(tmp_path / "o.jsonl"), "--cluster-threshold", "0.4"])
    assert code == 2 and "needs --cluster" in err
    code, _, err = run_cli(["screen", str(src), "-o", str(tmp_path / "o.jsonl"), "--cluster",
                            "--cluster-threshold", "0"])
    assert code == 2 and "--cluster-threshold" in err


def test_cluster_keeps_short_texts_of_one_template_apart():
    # issue 12: short texts of one pattern trace to each other on a few words ("whether", "file",
    # "write") with scores like a spun copy's; they share too few content words to be joined
    from unspin.screening.cluster import cluster_texts

    texts = [SOURCE, SPUN, *OTHERS, "Return whether the file was opened for writing.",
             "Inquire whether file a was written since file b.",
             "SYNOPSIS Replace the current line with a new one", "SYNOPSIS Send a signal to a process group"]
    assert cluster_texts(texts) == [0, 0, 2, 3, 4, 5, 6, 7, 8]


def test_cluster_joins_a_pair_only_when_found_both_ways():
    # a generic text is the near neighbour of many texts that have better ones: found one way
    # only, it must not chain them together
    from unspin.screening.cluster import components, joined_pairs

    pairs = [(0, 1, 0.6), (1, 0, 0.5), (2, 1, 0.5), (3, 2, 0.9), (2, 3, 0.3)]
    assert joined_pairs(pairs, 0.35) == [(0, 1)]
    assert joined_pairs(pairs, 0.3) == [(0, 1), (2, 3)]
    assert components(4, joined_pairs(pairs, 0.35)) == [0, 0, 2, 3]
