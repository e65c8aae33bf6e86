"""`vigie eval` and `vigie train`: measuring the engine and rebuilding its learned parts."""
from __future__ import annotations

import json
from pathlib import Path

import click

from vigie import corpus, evaluate


@click.command("eval")
@click.argument("corpus_file", metavar="CORPUS", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--misses", is_flag=True, help="List every wrongly judged message with its verdict and reasons.")
@click.option("--by", type=click.Choice(["source", "date"]), default=None,
              help="Grouped cross-validation on the project's corpus (train on other sources, or on older messages).")
@click.option("--split-seed", type=int, default=None,
              help="With --by source: another split of the sources into folds, to see how much the figures owe to one.")
def eval_cmd(corpus_file: Path | None, as_json: bool, misses: bool, by: str | None, split_seed: int | None) -> None:
    """Measure detection, false alarms, deferrals and latency on a labelled corpus."""
    from service.engine import triage_from_env  # noqa: PLC0415 - the models load only for this command

    if by is None and corpus_file is None:
        raise click.UsageError("give a CORPUS file, or --by source|date for cross-validation")
    if split_seed is not None and by != "source":
        raise click.UsageError("--split-seed chooses the folds of --by source (--by date has one split: the year)")
    if by is not None:
        result = _cross_validate(by, corpus_file, as_json, split_seed)
    else:
        result = evaluate.run(triage_from_env(), corpus.load(corpus_file))
    out = result.summary()
    if by is not None:
        out["by_family"] = result.by("family")
        out["by_group"] = result.by("group")
        out["by_lang"] = result.by("lang")
        evasions = result.evasions.summary()
        out["evasions"] = {"n": evasions["n"], "detection_rate": evasions["detection_rate"],
                           "by_kind": {k: v["detection_rate"] for k, v in result.evasions.by("kind").items()}}
    if misses:
        out["misses"] = result.misses()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(result.table())
    if by is not None:
        click.echo("\n" + evaluate.family_table(result))
        click.echo(f"\nevasions: {out['evasions']}")
    for miss in out.get("misses", []):
        click.echo(f"\n[{miss['label']} → {miss['verdict']}] {miss['id']} {miss['family']}: "
                   f"{' '.join(miss['reasons']) or '(no reason)'}\n  {miss['text'][:160]!r}")


def _cross_validate(by: str, corpus_file: Path | None, quiet: bool, split_seed: int | None) -> evaluate.Result:
    from vigie import crossval, train  # noqa: PLC0415 - needs scikit-learn, only for this path

    cases = corpus.load_all(evasions=True) if corpus_file is None else corpus.load(corpus_file)
    prep = train.analyse(cases, train.scratch_triage())
    decisions = crossval.cross_validate(prep, by, progress=(lambda m: None) if quiet else
                                        (lambda m: click.echo(m, err=True)), split_seed=split_seed)
    result, evasions = evaluate.Result(), evaluate.Result()
    for i, decision in sorted(decisions.items()):  # evasion variants never count as real messages
        (evasions if cases[i].augmented else result).add(cases[i], decision.verdict, 0.0,
                                                        [e.code for e in decision.evidence])
    result.evasions = evasions
    return result


@click.command("train")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the model files (default: the package's bot/model/).")
def train_cmd(out_dir: Path | None) -> None:
    """Rebuild the text model and the learned combination from nlp/corpus/ (fixed seed)."""
    from vigie import train  # noqa: PLC0415 - needs scikit-learn, only for this command

    model = train.train(train.scratch_triage(), out_dir or train.MODEL_DIR)
    meta = model.scorer.meta
    click.echo(f"trained on {meta['n']} messages, corpus {meta['corpus_sha256'][:12]}; "
               f"thresholds {model.scorer.by_lang}", err=True)
    click.echo(json.dumps(meta.get("validation", {}), ensure_ascii=False))


COMMANDS = (eval_cmd, train_cmd)
