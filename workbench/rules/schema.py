"""The rules' schema: every key of ``workbench/rules/*.yaml``, typed, and nothing else.

No field has a default here: the values live in the YAML files only (a key the defaults
lack is an error of the defaults, caught by ``load_rules()`` and its test). ``extra="forbid"``
everywhere, so a key no model declares (a misspelt office overlay) is refused;
``workbench.rules.unknown_keys`` finds it first, file by file, with the nearest valid key.

Mappings keyed by data (column categories, indicator ids, platforms, word-list categories)
are ``dict[str, …]``: their keys are free, their values typed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Count = Annotated[int, Field(ge=0)]
# int or float as the YAML wrote it (a dump gives back what was read: 5 stays 5)
Number = Annotated[int | float, Field(ge=0)]
Words = list[str]


class Section(BaseModel):
    """A mapping of the rules: strict types, no unknown key, read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Sourced(Section):
    """A rule with its published source and confidence (V, P or R)."""

    source: str
    confidence: str


class Verdict(Sourced):
    """A rule whose findings carry a veto and points."""

    veto: bool
    points: Number


# ----------------------------------------------------------------------------- fetching


class FetchRules(Section):
    user_agent: str
    contact: str
    timeout_seconds: Number
    retries: Count
    max_bytes: Count


class CrawlRules(Section):
    max_pages: Count
    max_depth: Count | None
    delay: Number
    concurrency: Count
    sites_in_parallel: Count
    processes: Count | str
    obey_robots: bool
    ignore_robots_hosts: Words
    max_list_pages: Count
    unit_hosts: dict[str, Words]


class AttachmentsRules(Section):
    """The files the site's pages link (.pdf, .doc/.docx, .wps, .xls/.xlsx, .et), read."""

    enabled: bool
    formats: Words
    max_per_site: Count
    max_bytes: Count
    pdf_pages: Count
    ocr: bool
    ocr_pages: Count
    ocr_language: str
    max_rows: Count
    max_chars: Count
    timeout_seconds: Number


class LinksRules(Section):
    check_external: bool
    max_external: Count
    external_timeout_seconds: Number


class ColumnsRules(Section):
    min_list_items: Count
    categories: dict[str, Words]  # order matters: the first category matching a name wins
    updating_categories: Words
    interaction_categories: Words
    placeholders: Words


# ----------------------------------------------------------------------------- websites


class HomepageStale(Sourced):
    days: Count
    veto: bool
    problem: str
    problem_undated: str


class Unreachable(Sourced):
    monitor_days: Count
    min_probes_per_day: Count
    timeout_seconds: Number
    failure_ratio: Number
    veto: bool
    problem: str
    problem_short: str


class ColumnStale(Verdict):
    days: dict[str, Count]  # by column category; ``other`` for the rest
    problem: str
    problem_undated: str


class ColumnBlank(Verdict):
    problem: str
    problem_placeholder: str


class ColumnsStale(Sourced):
    veto: bool
    news_days: Count
    notice_days: Count
    notice_categories: Words
    stale_sum_limit: Count
    long_stale_limit: Count
    count_blank_as_long_stale: bool
    count_blank_source: str
    blank_limit: Count
    problem: str
    reason_sum: str
    reason_long: str
    reason_long_blank: str
    reason_blank: str


class SurveyStale(Verdict):
    days: Count
    problem: str
    problem_undated: str


class AnswerSlow(Verdict):
    max_working_days: Count
    lookback_days: Count
    problem: str


class Privacy(Sourced):
    lead_veto: bool
    max_pages: Count
    problem: str
    problem_attachment: str  # the numbers shown in a file the site's pages link


class IllicitWords(Section):
    anchors: Words
    hosts: Words


class HiddenLink(Sourced):
    lead_veto: bool
    max_links: Count
    problem_hidden: str
    problem_words: str
    benign_domains: Words
    words: dict[str, IllicitWords]  # by category (赌博, 色情, 诈骗 …)


class ReportKinds(Section):
    openness: Words
    website: Words


class ReportNames(Section):
    openness: str
    website: str


class AnnualReport(Verdict):
    deadline: str  # MM-DD
    quarters: list[Count]
    titles: ReportKinds
    names: ReportNames
    problem_missing: str
    problem_late: str


class Search(Verdict):
    enabled: bool
    problem_no_box: str
    problem_no_result: str
    problem_failed: str


class SurveyFew(Verdict):
    min_count: Count
    days: Count
    kinds: Words
    problem: str


class LinkBroken(Sourced):
    homepage_points: Number
    other_points: Number
    veto: bool
    problem: str


class ExternalNongov(Verdict):
    allowed_domains: Words
    government_suffixes: Words
    problem: str


class MissingNames(Section):
    site_code: str
    site_code_invalid: str
    site_code_mismatch: str
    icp: str
    police: str
    conac: str


class Identity(Sourced):
    points_per_missing: Number
    veto: bool
    problem: str
    missing_names: MissingNames


class Security(Sourced):
    veto: bool
    future_days: Count
    batch_size: Count
    illicit_domains: Words
    illicit_keywords: Words
    problem_wording: str
    problem_wording_ocr: str  # read only from a scan by OCR: a lead
    problem_future: str
    problem_batch: str
    problem_illicit: str


class Typo(Verdict):
    problem: str


class InteractionPoor(Sourced):
    veto: bool
    lookback_days: Count
    unanswered_days: Count
    count_late_answers: bool
    excluded_title_words: Words
    problem_no_channel: str
    problem_unanswered: str


class ServicePoor(Sourced):
    veto: bool
    min_guides: Count
    min_missing: Count
    problem_guides: str
    problem_few_guides: str
    problem_no_service: str


class WebsiteRules(Section):
    homepage_stale: HomepageStale
    unreachable: Unreachable
    column_stale: ColumnStale
    column_blank: ColumnBlank
    columns_stale: ColumnsStale
    survey_stale: SurveyStale
    answer_slow: AnswerSlow
    privacy: Privacy
    hidden_link: HiddenLink
    annual_report: AnnualReport
    search: Search
    survey_few: SurveyFew
    link_broken: LinkBroken
    external_nongov: ExternalNongov
    identity: Identity
    security: Security
    typo: Typo
    interaction_poor: InteractionPoor
    service_poor: ServicePoor


# ----------------------------------------------------------------------------- new media


class MediaStale(Sourced):
    days: Count
    veto: bool
    problem: str


class MediaRule(Sourced):
    veto: bool
    problem: str


class JsonMapping(Section):
    items: str
    published: str
    title: str
    url: str
    summary: str


class UpdateSlow(Sourced):
    enabled: bool
    max_gap_days: Count
    veto: bool
    problem: str
    zombie_enabled: bool
    zombie_days: Count
    zombie_problem: str


class MediaLinkBroken(Sourced):
    enabled: bool
    max_posts: Count
    timeout_seconds: Number
    retries: Count
    max_bytes: Count
    allow_private: bool
    veto: bool
    problem: str


class Mismatch(Sourced):
    veto: bool
    name_suffixes: Words
    unit_suffixes: Words
    problem_certified: str
    problem_name: str
    problem_duplicate: str
    problem_closed: str


class MediaRules(Section):
    stale: MediaStale
    unregistered: MediaRule
    interaction_poor: MediaRule
    security: MediaRule
    json_mapping: JsonMapping
    update_slow: UpdateSlow
    link_broken: MediaLinkBroken
    mismatch: Mismatch


# ----------------------------------------------------------------------------- policy, openness


class InterpretationMissing(Sourced):
    required_forms: Count
    counted_forms: Words
    listed_forms: Words
    lookback_days: Count
    veto: bool
    problem: str


class InterpretationLate(Sourced):
    max_working_days: Count
    normative_only: bool
    lookback_days: Count
    veto: bool
    problem: str


class Matching(Section):
    fuzzy_threshold: Number


class UnlinkedWhich(Section):
    doc: str
    interp: str
    both: str


class Unlinked(Verdict):
    lookback_days: Count
    problem: str
    which: UnlinkedWhich


class PolicyRules(Section):
    interpretation_missing: InterpretationMissing
    interpretation_late: InterpretationLate
    matching: Matching
    unlinked: Unlinked


class ColumnSparse(Sourced):
    parent_keywords: Words
    min_items: Count
    veto: bool
    problem: str
    problem_empty: str


class OpennessColumnStale(Sourced):
    keywords: Words
    max_working_days: Count
    veto: bool
    problem: str
    problem_undated: str
    problem_coverage: str
    domains: Words
    extra_domains: Words
    aliases: dict[str, Words]


class OpennessRules(Section):
    column_sparse: ColumnSparse
    column_stale: OpennessColumnStale


# ----------------------------------------------------------------------------- judging


class IncompleteRules(Section):
    website_problem: str
    media_problem: str
    media_undated: str
    column_unreadable: str
    column_unread: str
    homepage_unreadable: str
    column_truncated: str
    truncated_categories: Words


class ScoringRules(Section):
    full_marks: Number
    pass_mark: Number
    caps: dict[str, Number]  # by indicator id
    without_service_full: Number
    without_service_factor: Number


class WordingCategory(Section):
    serious: bool


class WordingRules(Section):
    categories: dict[str, WordingCategory]
    # Entries are checked one by one, with their own messages, by
    # ``extract.wording.WordingDictionary.from_rules`` (``load_rules`` builds it once).
    entries: list[Any]
    extra: list[Any]


# ----------------------------------------------------------------------------- the circular


class Family(Section):
    key: str
    prefixes: Words
    heading: str


class AttachmentTitles(Section):
    media: str
    documents: str
    websites: str


class Fonts(Section):
    title: str
    body: str
    heading1: str
    heading2: str
    page_number: str
    table: str


class CircularRules(Section):
    city: str
    scope: str
    issuer: str
    issuer_short: str
    recipients: str
    local_rules: Words
    institution_site_label: str
    issue_date: date | str | None
    issue_date_offset_days: Count
    rectification_days: Count
    contacts: Words
    praised_units_max: Count
    praised_min_score: Number
    families: list[Family]
    max_sentences_per_family: Count
    veto_marker: str
    phrases: dict[str, str]  # by indicator id
    rule_source_default: str  # 整改清单's 违反的规定 for an indicator not in rule_sources
    rule_sources: dict[str, str]  # by indicator id
    column_phrases: dict[str, dict[str, str]]  # indicator id → topics / columns → phrase
    topic_categories: Words
    named_columns_max: Count
    many_columns: Count
    interpretation_missing_phrase: str
    platform_suffix: dict[str, str]
    indicator_names: dict[str, str]
    attachment_titles: AttachmentTitles
    media_note: str
    disclosure: str
    odd_and_even_pages_header_footer: bool
    fonts: Fonts
    table_font_size_pt: Number
    templates_dir: str | None
    master_template: str | None
    red_head: str
    doc_number: str


# ----------------------------------------------------------------------------- operations


class LogRules(Section):
    file: str
    max_bytes: Count
    backups: Count


class SmtpRules(Section):
    host: str
    port: Count
    starttls: bool
    ssl: bool
    cafile: str
    username: str
    password_env: str
    sender: str
    to: Words | str
    timeout_seconds: Count


class NotifyRules(Section):
    events: Words | str
    subject_prefix: str
    log_lines: Count
    smtp: SmtpRules
    command: str
    command_timeout_seconds: Count


# ----------------------------------------------------------------------------- the whole


class Rules(Section):
    """The merged rules: ``load_rules()`` returns one, indicators read its fields."""

    version: int
    fetch: FetchRules
    crawl: CrawlRules
    attachments: AttachmentsRules
    links: LinksRules
    columns: ColumnsRules
    website: WebsiteRules
    media: MediaRules
    policy: PolicyRules
    openness: OpennessRules
    incomplete: IncompleteRules
    scoring: ScoringRules
    wording: WordingRules
    circular: CircularRules
    log: LogRules
    notify: NotifyRules
