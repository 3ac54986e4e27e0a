"""Roles: only a 审核负责人 generates the final circular and marks it sent, refused in the store
layer whatever the UI shows; a signed-in reviewer is recorded by login, never a typed name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from store_rows import finding_row

from workbench import store
from workbench.dashboard.app import ReviewDashboard
from workbench.dashboard.drafting import DraftingPanel
from workbench.dashboard.identity import ReviewerBox
from workbench.errors import WorkbenchError
from workbench.store import decisions, drafts, roles


def _engine(tmp_path: Path) -> Engine:
    return store.connect(f"sqlite:///{tmp_path / 'w.db'}")


def test_without_configured_roles_everyone_finalizes(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    assert roles.current_leads(engine) is None and roles.is_lead(engine, "任何人")
    final = drafts.save_version(engine, "2022Q3", "张三", {}, b"docx", final=True)
    assert final.final and final.label == "第1版（定稿）"
    assert drafts.mark_sent(engine, "2022Q3", 1, "张三").number == 1


def test_the_store_refuses_final_versions_and_sent_marks_from_non_leads(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    assert roles.set_leads(engine, ["wangwu"], source="部署配置 hub.toml")
    assert not roles.set_leads(engine, ["wangwu"], source="部署配置 hub.toml")  # unchanged
    draft = drafts.save_version(engine, "2022Q3", "zhangsan", {}, b"draft")
    assert not draft.final and draft.label == "第1版（草稿）"  # drafts are anyone's
    with pytest.raises(roles.RoleError, match="只有审核负责人可以生成通报定稿.*wangwu"):
        drafts.save_version(engine, "2022Q3", "zhangsan", {}, b"final", final=True)
    assert [v.number for v in drafts.versions(engine, "2022Q3")] == [1]  # nothing kept
    final = drafts.save_version(engine, "2022Q3", "wangwu", {}, b"final", final=True)
    with pytest.raises(roles.RoleError, match="已报送"):
        drafts.mark_sent(engine, "2022Q3", final.number, "zhangsan")
    with pytest.raises(WorkbenchError, match="不是定稿"):
        drafts.mark_sent(engine, "2022Q3", draft.number, "wangwu")
    assert drafts.sent_mark(engine, "2022Q3") is None
    drafts.mark_sent(engine, "2022Q3", final.number, "wangwu")
    mark = drafts.sent_mark(engine, "2022Q3")
    assert mark is not None and (mark.number, mark.editor) == (2, "wangwu")


def test_role_changes_are_audited_and_the_newest_list_is_in_force(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    roles.set_leads(engine, ["wangwu"], source="部署配置 hub.toml")
    roles.set_leads(engine, ["zhaoliu", " "], source="部署配置 hub.toml")
    assert roles.current_leads(engine) == frozenset({"zhaoliu"})
    assert not roles.is_lead(engine, "wangwu")
    trail = decisions.history(engine, roles.ROLES_KEY)
    assert [(e.action, e.reviewer, e.new_value) for e in trail] == [
        ("roles", "部署配置 hub.toml", '["wangwu"]'),
        ("roles", "部署配置 hub.toml", '["zhaoliu"]'),
    ]
    assert trail[1].previous == ["wangwu"]
    with pytest.raises(roles.RoleError, match="至少要指定一名审核负责人"):
        roles.set_leads(engine, [], source="x")


def test_a_signed_in_reviewer_is_the_login_and_cannot_be_retyped() -> None:
    box = ReviewerBox.from_environment(
        frozenset({"wangwu"}), {"JUPYTERHUB_USER": "wangwu", "JUPYTERHUB_BASE_URL": "/"}
    )
    assert box.signed_in and box.name == "wangwu" and box.lead
    assert "审核人：<b>wangwu</b>（审核负责人）" in box.widget.value
    assert 'href="/hub/logout"' in box.widget.value
    box.text.value = "冒名者"  # a crafted widget message could set the hidden box …
    assert box.name == "wangwu"  # … but the reviewer stays the login
    with pytest.raises(WorkbenchError, match="不能修改"):
        box.value = "冒名者"
    typed = ReviewerBox.from_environment(frozenset({"wangwu"}), {})
    typed.value = " 张三 "
    assert not typed.signed_in and typed.name == "张三" and typed.widget is typed.text


def _seeded(tmp_path: Path) -> Engine:
    engine = _engine(tmp_path)
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n市水利局,市水利局网站,http://127.0.0.1/,部门网站\n",
        encoding="utf-8",
    )
    (inventory / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory=str(inventory), params={}
    )
    store.save_findings(engine, "2022Q3", run, [finding_row("f-1")])
    store.finish_run(engine, run)
    return engine


def test_the_dashboard_records_the_login_and_a_plain_reviewer_cannot_finalize(
    tmp_path: Path,
) -> None:
    engine = _seeded(tmp_path)
    roles.set_leads(engine, ["wangwu"], source="部署配置 hub.toml")
    app = ReviewDashboard(engine, ReviewerBox("zhangsan"))
    app.review.select("f-1")
    app.review.confirm_button.click()
    assert [e.reviewer for e in decisions.history(engine, "f-1")] == ["zhangsan"]

    panel = app.drafting
    assert panel.final_button.disabled and panel.sent_button.disabled
    assert "仅限审核负责人" in panel.role_note.value
    panel.generate_button.click()
    assert [(v.editor, v.final) for v in drafts.versions(engine, "2022Q3")] == [("zhangsan", False)]
    with pytest.raises(roles.RoleError):  # past the disabled button, the store still refuses
        panel.generate(final=True)
    assert len(drafts.versions(engine, "2022Q3")) == 1

    lead = DraftingPanel(engine, ReviewerBox("wangwu", lead=True))
    lead.set_quarter("2022Q3")
    assert not lead.final_button.disabled and lead.role_note.value == ""
    lead.final_button.click()
    assert "第2版（定稿）" in lead.status.widget.value
    assert lead.sent_choice.value == 2
    lead.sent_button.click()
    assert "已报送（wangwu" in lead.versions_html.value
