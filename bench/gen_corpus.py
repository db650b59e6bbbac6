#!/usr/bin/env python3
"""Generate a deterministic blog corpus for benchmarks: Markdown posts and comment submissions.

Adapted from the project's shared benchmark generator so that `bench/run.py` works from a plain clone.

    gen_corpus.py OUT --posts 10000 --comments 100000 [--seed 1] [--front toml|yaml|zola]

Writes OUT/content/posts/<slug>.md (about 600-1500 words each: headings, lists, links,
emphasis, fenced code with a language, a blockquote, sometimes a table and a footnote),
OUT/site.toml, and OUT/comments.jsonl (one submission per line: post, username, email,
body, timestamp, id), spread over posts with a Zipf-like skew; visitors come back, so
one user writes many comments. Standard library only; the same arguments give the same bytes.
"""
import argparse, json, random, datetime
from pathlib import Path

WORDS = ("the of and to in is that it for on with as was at by this be from or have an are not but "
         "what all were when we there can which their said if do will each about how up out them then "
         "she many some so these would other into has more her two like him see time could no make than "
         "first been its who now people my made over did down only way find use may water long little very "
         "after words called just where most know get through back much before go good new write our used "
         "me man too any day same right look think also around another came come work three word must because "
         "does part even place well such here take why things help put years different away again off went "
         "old number great tell men say small every found still between name should home big give air line "
         "set own under read last never us left end along while might next sound below saw something thought "
         "both few those always looked show large often together asked house world going want school important "
         "until form food keep children feet land side without boy once animals life enough took sometimes "
         "compiler memory thread borrow lifetime iterator closure trait generic macro crate module cargo "
         "rust parser lexer token syntax tree cache latency throughput benchmark profile allocator vector").split()
TAGS = [f"{w}" for w in ("rust", "python", "web", "databases", "sqlite", "postgres", "performance", "testing",
        "security", "privacy", "travel", "photography", "cooking", "books", "music", "linux", "networking",
        "compilers", "parsers", "design", "css", "html", "javascript", "typescript", "go", "c", "cpp", "haskell",
        "ocaml", "math", "statistics", "machine learning", "hardware", "keyboards", "gardening", "cycling",
        "running", "climbing", "writing", "productivity", "career", "open source", "history", "philosophy",
        "economics", "games", "film", "art", "architecture", "teaching")]
LANGS = ["rust", "python", "javascript", "sql", "bash", "toml", "go", "c"]
FIRST = ["Harry", "Gitau", "Ada", "Grace", "Linus", "Alan", "Barbara", "Ken", "Dennis", "Margaret", "Edsger",
         "Donald", "Frances", "John", "Katherine", "Radia", "Tim", "Guido", "Yukihiro", "Bjarne", "Niklaus",
         "Amina", "Wanjiru", "Chen", "Priya", "Sofia", "Mateo", "Olga", "Kenji", "Fatima", "Lars"]
LAST = ["Smith", "Otieno", "Lovelace", "Hopper", "Torvalds", "Turing", "Liskov", "Thompson", "Ritchie",
        "Hamilton", "Dijkstra", "Knuth", "Allen", "McCarthy", "Johnson", "Perlman", "Berners-Lee", "Rossum"]


def sentence(r, lo=6, hi=18):
    ws = [r.choice(WORDS) for _ in range(r.randint(lo, hi))]
    ws[0] = ws[0].capitalize()
    i = r.randrange(len(ws))
    style = r.random()
    if style < 0.15:
        ws[i] = f"**{ws[i]}**"
    elif style < 0.3:
        ws[i] = f"*{ws[i]}*"
    elif style < 0.4:
        ws[i] = f"`{ws[i]}`"
    elif style < 0.5:
        ws[i] = f"[{ws[i]}](https://example.com/{ws[i]})"
    return " ".join(ws) + r.choice([".", ".", ".", "?", "!"])


def paragraph(r):
    return " ".join(sentence(r) for _ in range(r.randint(3, 7)))


def code_block(r):
    lang = r.choice(LANGS)
    lines = [f"let {r.choice(WORDS)}_{i} = {r.randint(0, 999)}; // {r.choice(WORDS)}" for i in range(r.randint(4, 14))]
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def post_body(r, i):
    parts = [paragraph(r), "<!-- more -->"]
    for s in range(r.randint(3, 6)):
        parts.append(f"## {sentence(r, 2, 5).rstrip('.?!')}")
        parts.append(paragraph(r))
        kind = r.random()
        if kind < 0.3:
            parts.append("\n".join(f"- {sentence(r, 3, 9)}" for _ in range(r.randint(3, 6))))
        elif kind < 0.55:
            parts.append(code_block(r))
        elif kind < 0.7:
            parts.append("> " + sentence(r))
        elif kind < 0.8:
            rows = ["| name | value | note |", "|---|---:|---|"]
            rows += [f"| {r.choice(WORDS)} | {r.randint(1, 9999)} | {r.choice(WORDS)} |" for _ in range(r.randint(3, 8))]
            parts.append("\n".join(rows))
        else:
            parts.append("\n".join(f"{n}. {sentence(r, 3, 9)}" for n in range(1, r.randint(3, 6))))
        parts.append(paragraph(r))
    if r.random() < 0.2:
        parts.append(f"A claim that needs a source.[^{i}]\n\n[^{i}]: {sentence(r)}")
    return "\n\n".join(parts) + "\n"


def front(fmt, title, date, tags, desc):
    if fmt == "yaml":
        t = ", ".join(json.dumps(x) for x in tags)
        return f"---\ntitle: {json.dumps(title)}\ndate: {date}\ndraft: false\ndescription: {json.dumps(desc)}\ntags: [{t}]\n---\n"
    tl = ", ".join(json.dumps(x) for x in tags)
    head = f"+++\ntitle = {json.dumps(title)}\ndate = {date}\ndraft = false\ndescription = {json.dumps(desc)}\n"
    if fmt == "zola":
        return head + f"\n[taxonomies]\ntags = [{tl}]\n+++\n"
    return head + f"tags = [{tl}]\n+++\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--comments", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--front", choices=["toml", "yaml", "zola"], default="toml")
    a = ap.parse_args()
    r = random.Random(a.seed)
    out = Path(a.out)
    posts_dir = out / "content" / "posts"
    posts_dir.mkdir(parents=True, exist_ok=True)
    start = datetime.datetime(2015, 1, 1, tzinfo=datetime.timezone.utc)
    slugs = []
    for i in range(a.posts):
        slug = f"post-{i:06d}-{r.choice(WORDS)}-{r.choice(WORDS)}"
        title = sentence(r, 3, 8).rstrip(".?!").replace("*", "").replace("`", "")
        if "[" in title:
            title = title.split("[")[0] + r.choice(WORDS)
        date = (start + datetime.timedelta(minutes=i * 523 + r.randint(0, 500))).strftime("%Y-%m-%dT%H:%M:%SZ")
        tags = sorted(set(r.sample(TAGS, r.randint(1, 4))))
        body = post_body(r, i)
        (posts_dir / f"{slug}.md").write_text(front(a.front, title, date, tags, sentence(r, 8, 16)) + "\n" + body, encoding="utf-8")
        slugs.append((slug, date))
    (out / "site.toml").write_text('title = "Benchmark Blog"\nbase_url = "https://bench.example.org"\n'
                                   'description = "Generated corpus"\npaginate_by = 10\n', encoding="utf-8")
    visitors = [(f"{r.choice(FIRST)} {r.choice(LAST)}", None) for _ in range(max(1, a.comments // 8))]
    visitors = [(name, f"{name.split()[0].lower()}.{k}@example.{r.choice(['com', 'org', 'net'])}") for k, (name, _) in enumerate(visitors)]
    weights = [1.0 / (k + 1) for k in range(len(slugs))]  # Zipf-like: early posts draw most comments
    order = slugs[:]
    r.shuffle(order)
    chosen = r.choices(order, weights=weights, k=a.comments) if slugs else []
    with open(out / "comments.jsonl", "w", encoding="utf-8") as f:
        for n, (slug, date) in enumerate(chosen):
            name, email = visitors[min(int(r.paretovariate(1.2)) - 1, len(visitors) - 1)] if r.random() < 0.6 else r.choice(visitors)
            body = " ".join(sentence(r, 4, 14) for _ in range(r.randint(1, 5)))
            posted = datetime.datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
            ts = (posted + datetime.timedelta(minutes=r.randint(1, 60 * 24 * 400))).strftime("%Y-%m-%dT%H:%M:%SZ")
            f.write(json.dumps({"post": slug, "username": name, "email": email, "body": body, "timestamp": ts, "id": f"c{n}"}) + "\n")


if __name__ == "__main__":
    main()
