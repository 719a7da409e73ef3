"""From the paths given to ``score`` to one report per repository.

A repository is one scoring run, except a monorepo (several sub-projects, no project of its
own at the root), which is one run per sub-project plus one run of the ``shared`` and
``worst`` checks over the whole repository (see score.rollup), and ``--project`` (one
sub-project, credited with what the repository root shares). All runs of all repositories
are planned first, so ``--jobs`` can run them side by side.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlscaffold.score.config import ScoreConfig, load_config
from mlscaffold.score.model import Report


@dataclass
class Unit:
    """One scoring run: a folder, its label in reports, its configuration and checklist."""

    folder: str
    label: str | None
    config: ScoreConfig
    checklist: object  # a judge.checklist.Checklist (loaded once, here)
    select: list[str] = field(default_factory=list)
    # Folders left out: the sub-projects, when the root's own code is scored.
    exclude: frozenset[str] = frozenset()


@dataclass
class Job:
    """What becomes one report: a repository (``root``) and the runs it needs."""

    root: str
    kind: str  # "single", "monorepo" or "project"
    subs: list[str]  # sub-project folders relative to root (POSIX); for "project" the one
    units: list[Unit]
    config: ScoreConfig  # the repository root's configuration (thresholds of the roll-up)
    rules: dict[str, str]  # check id -> rollup rule
    others: list[str] = field(default_factory=list)  # "project": the other sub-projects
    whole: bool = False  # the last unit scans the whole repository
    # A monorepo whose root has code of its own beside the sub-projects: the unit before the
    # whole scan scores that code as one more sub-project (the root minus the sub-projects).
    own_code: bool = False
    shared: object = None  # a monorepo's read.sharing.SharedReads, made while planning
    configs: list[ScoreConfig] = field(default_factory=list)  # per report.subprojects entry
    report: Report | None = None


class Planner:
    """Plans the runs for each PATH, reading configurations and checklists once."""

    def __init__(
        self,
        select: list[str],
        org_config: ScoreConfig | None = None,
        extra_checklists: list[Path] | None = None,
    ) -> None:
        self.select = select
        self.org_config = org_config
        self.extra = list(extra_checklists or [])
        self._checklists: dict[tuple[Path, ...], object] = {}

    def _config(self, folder: str, fallback: ScoreConfig | None = None) -> ScoreConfig:
        """``--config`` when given, else the folder's own, else ``fallback`` (a monorepo's
        root configuration for a sub-project without one); ``--checklist`` files added."""
        if self.org_config is not None:
            config = self.org_config
        else:
            config = load_config(folder)
            if config.source is None and fallback is not None:
                config = fallback
        if self.extra:
            config = replace(config, checklists=[*config.checklists, *self.extra])
        return config

    def _checklist(self, config: ScoreConfig):
        from mlscaffold.score.judge.checklist import load_checklist

        key = tuple(config.checklists)
        if key not in self._checklists:
            self._checklists[key] = load_checklist(list(key))
        return self._checklists[key]

    def _unit(self, folder: str, label: str | None, config: ScoreConfig) -> Unit:
        return Unit(folder, label, config, self._checklist(config), list(self.select))

    def _whole_unit(self, root: str, config: ScoreConfig, rules: tuple[str, ...]) -> Unit | None:
        """The run over the whole repository: only the checks with one of ``rules`` that the
        selection keeps (none: no run)."""
        from mlscaffold.score.judge.engine import selected_checks

        checklist = self._checklist(config)
        wanted = [c for c in checklist if c.rollup in rules]
        if self.select or config.select:
            kept = {c.id for c in selected_checks(checklist, [*self.select, *config.select])}
            wanted = [c for c in wanted if c.id in kept]
        if not wanted:
            return None
        # Its selection replaces the configuration's: the configuration's own select would
        # add checks to it (a selection is a union).
        return Unit(
            root,
            os.path.basename(root),
            replace(config, select=[]),
            checklist,
            [c.id for c in wanted],
        )

    def plan(self, root: str, project: str | None, whole: bool) -> Job:
        from mlscaffold.score.read.projects import find_projects, has_own_code, project_path

        name = os.path.basename(root) or root
        root_config = self._config(root)
        rules = {c.id: c.rollup for c in self._checklist(root_config)}
        if project:
            folder = project_path(root, project)
            rel = os.path.relpath(folder, root).replace(os.sep, "/")
            config = self._config(folder, root_config)
            others = [p for p in find_projects(root) if p != rel]
            unit = self._unit(folder, f"{name}/{project}", config)
            if rel == "." and others:  # a monorepo's root: its own code, as the roll-up lists it
                unit = replace(unit, label=f"{name}/.", exclude=frozenset(others))
            units = [unit]
            shared = self._whole_unit(root, root_config, ("shared",))
            if shared is not None:
                units.append(shared)
            return Job(root, "project", [rel], units, config, rules, others, shared is not None)
        subs = [] if whole else find_projects(root)
        if not subs:
            return Job(
                root, "single", [], [self._unit(root, None, root_config)], root_config, rules
            )
        configs = [self._config(os.path.join(root, sub), root_config) for sub in subs]
        units = [
            self._unit(os.path.join(root, sub), f"{name}/{sub}", config)
            for sub, config in zip(subs, configs, strict=True)
        ]
        for config in configs:  # a sub-project's own checklists bring their own rules
            rules.update({c.id: c.rollup for c in self._checklist(config)})
        # The runs over its folders share one walk (read.sharing), which also says whether
        # the root has code of its own beside the sub-projects.
        from mlscaffold.score.read.sharing import SharedReads

        reads = SharedReads(root)
        files = [f.path for f in reads.walk_of(reads.root).files]
        own_code = has_own_code(files, subs)
        if own_code:
            unit = self._unit(root, f"{name}/.", root_config)
            units.append(replace(unit, exclude=frozenset(subs)))
        scan = self._whole_unit(root, root_config, ("shared", "worst"))
        if scan is not None:
            units.append(scan)
        return Job(
            root,
            "monorepo",
            subs,
            units,
            root_config,
            rules,
            whole=scan is not None,
            configs=[*configs, root_config] if own_code else configs,
            own_code=own_code,
            shared=reads,
        )


def run_unit(unit: Unit, ignore: dict[str, str], debug: bool, use_cache: bool = False, shared=None):
    from mlscaffold.score.judge.engine import score_repo

    # An --ignore may name a check that only some sub-project's checklist has (run_all has
    # made sure some unit has it): each unit takes the ones it knows.
    ids = {c.id for c in unit.checklist}
    ignore = {k: v for k, v in ignore.items() if k in ids}
    return score_repo(
        unit.folder,
        config=unit.config,
        select=unit.select,
        ignore=ignore,
        debug=debug,
        checklist=unit.checklist,
        project_label=unit.label,
        use_cache=use_cache,
        shared=shared,
        exclude=unit.exclude,
    )


def run_all(
    jobs: list[Job],
    ignore: dict[str, str],
    debug: bool,
    processes: int,
    progress: Callable[[list, Callable], list],
    use_cache: bool = False,
) -> list[Report]:
    """Score every unit of every job (side by side with ``processes`` > 1), then assemble
    each job's report. ``use_cache``: see read.cache."""
    from mlscaffold.errors import UsageError

    units = [unit for job in jobs for unit in job.units]
    unknown = sorted(set(ignore) - {c.id for unit in units for c in unit.checklist})
    if unknown:  # a typo would otherwise leave the check running, unignored
        raise UsageError(f"--ignore {', '.join(unknown)} matches no check")
    if len(units) == 1 or processes == 1:
        # The runs of one repository (a monorepo's sub-projects and its whole-repository run)
        # share one walk and what is read from each file (see read.sharing).
        from mlscaffold.score.read.sharing import SharedReads

        shared: dict[int, SharedReads] = {}
        for job in jobs:
            if len(job.units) > 1:
                reads = job.shared if job.shared is not None else SharedReads(job.root)
                shared.update((id(u), reads) for u in job.units)
        reports = progress(
            units, lambda u: run_unit(u, ignore, debug, use_cache, shared.get(id(u)))
        )
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(processes, len(units))) as pool:
            futures = [pool.submit(run_unit, u, ignore, debug, use_cache) for u in units]
            reports = progress(futures, lambda f: f.result())
    out = []
    for job in jobs:
        mine, reports = reports[: len(job.units)], reports[len(job.units) :]
        job.report = assemble(job, mine)
        out.append(job.report)
    return out


def assemble(job: Job, reports: list[Report]) -> Report:
    from mlscaffold.score.identity import identify
    from mlscaffold.score.rollup import OWN_CODE, inherit_root, roll_up

    whole = reports[-1] if job.whole else None
    own = reports[:-1] if job.whole else reports
    if job.kind == "single":
        report = own[0]
    elif job.kind == "project":
        report = own[0]
        if whole is not None:
            report = inherit_root(report, job.subs[0], whole, job.subs + job.others, job.rules)
    else:
        rest = own[-1] if job.own_code else None
        own = own[:-1] if job.own_code else own
        subs = [
            inherit_root(r, rel, whole, job.subs, job.rules) if whole else r
            for rel, r in zip(job.subs, own, strict=True)
        ]
        for sub in subs:
            sub.repository = identify(sub.root, base=job.root)
        folders = list(zip(job.subs, subs, strict=True))
        if rest is not None:
            rest.repository = identify(rest.root, base=job.root)
            folders.append((OWN_CODE, rest))
        duration = sum(r.duration_seconds for r in reports)
        report = roll_up(
            job.root,
            os.path.basename(job.root) or job.root,
            folders,
            whole,
            job.rules,
            duration,
        )
    report.repository = identify(report.root, base=job.root)
    return report
