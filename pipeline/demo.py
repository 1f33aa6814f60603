"""A deterministic, realistic sample pipeline: `tuiboard demo`, the tests and the benchmarks."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .canonical import dump_customer
from .config import Config, load_preset, preset_text
from .layout import CONFIG_FILE, CUSTOMERS_DIR
from .names import TakenIds, unique_id

CITIES = ["苏州", "北京", "上海", "杭州", "深圳", "成都", "武汉", "南京", "宁波", "青岛", "无锡", "厦门"]
CORES = [
    "华东",
    "云启",
    "恒信",
    "天成",
    "博远",
    "中联",
    "瑞丰",
    "新锐",
    "鼎盛",
    "星河",
    "宏达",
    "安泰",
    "启明",
    "金桥",
    "汇通",
    "德润",
]
TRADES = [
    ("精密机械", "制造业"),
    ("电子科技", "电子"),
    ("物流", "物流"),
    ("医药", "医药"),
    ("建筑设计", "建筑"),
    ("软件", "IT"),
    ("食品", "快消"),
    ("纺织", "纺织"),
    ("新能源", "能源"),
    ("教育科技", "教育"),
]
EN_NAMES = [
    "Acme Logistics",
    "Northwind Trading",
    "Blue Harbor Foods",
    "Pinecrest Medical",
    "Orbital Devices",
    "Keystone Builders",
    "Silverline Textiles",
    "Brightpath Education",
    "Helix Energy",
    "Granite Analytics",
    "Maple Robotics",
    "Summit Packaging",
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "杰", "涛", "明", "超", "霞"]
TITLES = ["信息部经理", "总经理", "财务总监", "采购经理", "IT主管", "副总裁", "运营总监"]
OWNERS = ["wang.li", "zhang.wei", "li.na", "chen.jie"]
ACTIONS = [
    "电话回访，确认需求",
    "发送修订报价",
    "安排产品演示",
    "拜访IT经理",
    "提交解决方案",
    "约见决策人",
    "催签合同",
    "邀请参观样板客户",
    "寄送资料",
    "确认预算与时间表",
]
NOTES = [
    "见了IT经理，关注移动审批",
    "客户对价格敏感",
    "已发送方案，等待反馈",
    "决策人出差，下周再约",
    "演示效果好，要求试用",
    "竞争对手报价更低",
    "财务总监参与讨论",
]
OBJECTIONS = [
    ("price", "报价超预算"),
    ("function", "缺少移动端功能"),
    ("trust", "担心实施周期"),
    ("decision", "老板还没拍板"),
]
TIER_WEIGHTS = [("VIP", 5), ("A", 20), ("B", 45), ("C", 22), ("D", 8)]


def generate(n: int, seed: int, today: date, config: Config) -> list[dict[str, Any]]:
    """``n`` customer records, the same for the same (n, seed, today, config)."""
    rng = random.Random(seed)
    opens = [s.id for s in config.open_stages]
    won = config.won_stage.id if config.won_stage else None
    lost = config.lost_stage.id if config.lost_stage else None
    names: set[str] = set()
    out = []
    for i in range(n):
        name = _company(rng, i)
        while name in names:
            name = f"{name}{rng.choice('二三四五六')}分公司"
        names.add(name)
        out.append(_customer(rng, name, today, config, opens, won, lost))
    _show_the_rules(out, config, today, random.Random(f"{seed}-rules"))
    return out


def _show_the_rules(records: list[dict[str, Any]], config: Config, today: date, rng: random.Random) -> None:
    """Make sure the demo shows every rule of docs/metrics.md, without touching the random
    stream the rest is drawn from: each rep's first new lead has no next action (the top of
    its today's work); a won customer's next action is the after-sales step the write path
    sets (`rules.close_changes`) while it is due, none after; won customers carry payments,
    and the first one signed more than a month ago has paid a deposit only (a downgrade flag)."""
    first_open = config.open_stages[0].id if config.open_stages else None
    seen: set[str] = set()
    for data in records:
        if data["stage"] == first_open and data["owner"] not in seen:
            seen.add(data["owner"])
            data.pop("next", None)
    deposit_shown = False
    for data in records:
        stage = config.stage(data["stage"])
        if stage is None or stage.kind != "won":
            continue
        signed = data["history"][-1]["date"]
        data.pop("next", None)
        step = config.after_sales[0] if config.after_sales else None
        if step is not None and (today - signed).days <= step.due_days:
            data["next"] = {"action": step.label, "due": signed + timedelta(days=step.due_days)}
        if "amount" not in data:
            continue
        late = (today - signed).days > config.downgrade_after_days
        if late and not deposit_shown:
            share, deposit_shown = 0.3, True
        else:
            share = 1.0 if late or rng.random() < 0.5 else 0.5
        paid = signed + timedelta(days=min(max(0, (today - signed).days), rng.randint(3, 25)))
        data["payments"] = [
            {"date": paid, "amount": int(data["amount"] * share), "note": "首付款" if share < 1 else "全款"}
        ]


def _company(rng: random.Random, i: int) -> str:
    if rng.random() < 0.2:
        return f"{rng.choice(EN_NAMES)} {rng.choice(['Ltd', 'Inc', 'Co', 'Group'])}"
    trade, _ = rng.choice(TRADES)
    return f"{rng.choice(CITIES)}{rng.choice(CORES)}{trade}有限公司"


def _customer(
    rng: random.Random,
    name: str,
    today: date,
    config: Config,
    opens: list[str],
    won: str | None,
    lost: str | None,
) -> dict[str, Any]:
    created = today - timedelta(days=rng.randint(5, 365))
    # Walk the funnel: each step forward is less likely, so the shape is a funnel.
    path = [opens[0]]
    while len(path) < len(opens) and rng.random() < 0.62:
        path.append(opens[len(path)])
    outcome = rng.random()
    if won and len(path) >= len(opens) - 1 and outcome < 0.45:
        path.append(won)
    elif lost and outcome > 0.85:
        path.append(lost)
    history: list[dict[str, Any]] = []
    when = created
    for step, stage in enumerate(path):
        if step:
            when = min(today, when + timedelta(days=rng.randint(3, 40)))
        history.append({"date": when, "stage": stage})
    if len(path) > 2 and path[-1] in opens and rng.random() < 0.08:  # went back a stage
        back = path[-2]
        when = min(today, when + timedelta(days=rng.randint(2, 20)))
        history.append({"date": when, "stage": back})
    stage = history[-1]["stage"]
    kind = config.stage(stage).kind  # type: ignore[union-attr]  # the path is the config's stages
    trade = next((t for t in TRADES if t[0] in name), ("", "服务业"))
    data: dict[str, Any] = {"name": name, "stage": stage}
    if rng.random() < 0.85:
        data["tier"] = _weighted(rng, TIER_WEIGHTS)
    data["owner"] = rng.choice(OWNERS)
    data["source"] = rng.choice(config.sources or ["internet"])
    if rng.random() < 0.92:
        data["amount"] = int(round(rng.lognormvariate(12.0, 1.0), -3))
    if rng.random() < 0.25:
        data["probability"] = rng.choice([15, 30, 50, 70, 90])
    if kind == "open" and rng.random() < 0.8:
        data["expected_close"] = today + timedelta(days=rng.randint(-10, 150))
    data["intent"] = rng.choice(["high", "medium", "medium", "low"])
    data["tags"] = rng.sample(["ERP", "OA", "CRM", "云服务", "制造业", "集团客户", "续费"], rng.randint(0, 2))
    if rng.random() < 0.4:
        data["competitor"] = rng.choice(["用友", "金蝶", "SAP", "Oracle", "浪潮"])
    data["created"] = created
    if kind == "lost":
        data["lost_reason"] = rng.choice(config.lost_reasons or ["价格过高"])
        history[-1]["reason"] = data["lost_reason"]
    data["company"] = {
        "industry": trade[1],
        "employees": rng.randint(30, 3000),
        "region": next((c for c in CITIES if c in name), "海外"),
    }
    data["contact"] = {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "title": rng.choice(TITLES),
        "phone": f"+86 {rng.randint(130, 189)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
    }
    if kind == "open" and rng.random() < 0.88:
        data["next"] = {"action": rng.choice(ACTIONS), "due": today + timedelta(days=rng.randint(-12, 21))}
    elif kind == "won":
        data["next"] = {"action": "交付后首次回访", "due": today + timedelta(days=rng.randint(-3, 30))}
    data["history"] = history
    logs = []
    for _ in range(rng.randint(0, 4)):
        logs.append(
            {
                "date": created + timedelta(days=rng.randint(0, max(0, (today - created).days))),
                "kind": rng.choice(["call", "visit", "email", "demo", "meeting", "note"]),
                "note": rng.choice(NOTES),
            }
        )
    if logs:
        data["log"] = sorted(logs, key=lambda e: e["date"])
    if rng.random() < 0.3:
        kind_, content = rng.choice(OBJECTIONS)
        data["objections"] = [
            {
                "date": history[-1]["date"],
                "type": kind_,
                "content": content,
                "result": rng.choice(["open", "resolved", "partly", "unresolved"]),
            }
        ]
    return data


def _weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def write_demo(folder: Path, n: int, seed: int, today: date, preset: str = "seven-stage") -> int:
    """Create a demo pipeline folder; returns the number of customers written."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_FILE).write_text(preset_text(preset), encoding="utf-8")
    customers = folder / CUSTOMERS_DIR
    customers.mkdir(exist_ok=True)
    config = load_preset(preset)
    ids = TakenIds()
    for data in generate(n, seed, today, config):
        cid = unique_id(data["name"], ids)
        ids.add(cid)
        (customers / f"{cid}.toml").write_text(dump_customer(data), encoding="utf-8")
    return len(ids)
