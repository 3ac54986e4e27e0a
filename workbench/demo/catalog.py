"""Static catalogue of the fictional 示范市: its units, their websites and new-media accounts.

Everything here is invented. Unit names follow the seed circular's kinds (市政府门户, 区县市政府,
市直部门, 事业单位) but the city, its districts and every account name are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY = "示范市"
CITY_SHORT = "示范"
CITY_DIVISION = "439900"  # fictional 6-digit division code (no real prefecture uses 4399)
ICP_PREFIX = "湘"


@dataclass(frozen=True)
class UnitSpec:
    """A unit that runs one website. ``key`` is an ASCII slug used in URLs and file names."""

    key: str
    unit: str  # as written in the inventory's 单位 column
    site_name: str
    kind: str  # 门户网站 / 部门网站 / 事业单位网站
    short: str  # short name used to derive account names, e.g. 示范水利


PORTAL = UnitSpec("portal", "示范市人民政府办公室", "示范市人民政府门户网站", "门户网站", "示范")

# (key, unit == district name, short name for accounts)
DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("minghu", "明湖区", "明湖"),
    ("yunling", "云岭区", "云岭"),
    ("qingxi", "青溪县", "青溪"),
    ("songchuan", "松川县", "松川"),
    ("fenglin", "枫林市", "枫林"),
    ("gxq", "示范高新区", "示范高新"),
    ("jkq", "示范经开区", "示范经开"),
)

# (key, unit, full department name for the site title, short name for accounts)
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("fgw", "市发改委", "示范市发展和改革委员会", "示范发改"),
    ("jyj", "市教育局", "示范市教育局", "示范教育"),
    ("gxj", "市工信局", "示范市工业和信息化局", "示范工信"),
    ("kjj", "市科技局", "示范市科学技术局", "示范科技"),
    ("gaj", "市公安局", "示范市公安局", "示范公安"),
    ("mzj", "市民政局", "示范市民政局", "示范民政"),
    ("sfj", "市司法局", "示范市司法局", "示范司法"),
    ("czj", "市财政局", "示范市财政局", "示范财政"),
    ("rsj", "市人社局", "示范市人力资源和社会保障局", "示范人社"),
    ("zgj", "市资规局", "示范市自然资源和规划局", "示范资规"),
    ("sthjj", "市生态环境局", "示范市生态环境局", "示范生态环境"),
    ("zjj", "市住建局", "示范市住房和城乡建设局", "示范住建"),
    ("jtj", "市交通局", "示范市交通运输局", "示范交通"),
    ("slj", "市水利局", "示范市水利局", "示范水利"),
    ("nyj", "市农业农村局", "示范市农业农村局", "示范农业农村"),
    ("swj", "市商务局", "示范市商务局", "示范商务"),
    ("wlj", "市文旅广体局", "示范市文化旅游广电体育局", "示范文旅"),
    ("wjw", "市卫健委", "示范市卫生健康委员会", "示范卫健"),
    ("tyjrj", "市退役军人事务局", "示范市退役军人事务局", "示范退役军人"),
    ("yjj", "市应急管理局", "示范市应急管理局", "示范应急"),
    ("sjj", "市审计局", "示范市审计局", "示范审计"),
    ("scjgj", "市市场监督管理局", "示范市市场监督管理局", "示范市场监管"),
    ("tjj", "市统计局", "示范市统计局", "示范统计"),
    ("ybj", "市医保局", "示范市医疗保障局", "示范医保"),
    ("cgj", "市城管局", "示范市城市管理和综合执法局", "示范城管"),
    ("lyj", "市林业局", "示范市林业局", "示范林业"),
    ("jrb", "市金融办", "示范市地方金融监督管理局", "示范金融"),
    ("xfj", "市信访局", "示范市信访局", "示范信访"),
    ("jgswj", "市机关事务局", "示范市机关事务管理局", "示范机关事务"),
    ("spj", "市行政审批服务局", "示范市行政审批服务局", "示范审批服务"),
    ("sjzyj", "市数据资源局", "示范市数据资源管理局", "示范数据"),
    ("lcj", "市粮储局", "示范市粮食和物资储备局", "示范粮储"),
)

# (key, unit, site name, short name)
INSTITUTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("gjj", "市住房公积金中心", "示范市住房公积金管理中心", "示范公积金"),
    ("tsg", "市图书馆", "示范市图书馆", "示范图书馆"),
    ("bwg", "市博物馆", "示范市博物馆", "示范博物馆"),
    ("cdc", "市疾控中心", "示范市疾病预防控制中心", "示范疾控"),
)


def all_units() -> list[UnitSpec]:
    """The 44 website-running units in inventory order: portal, districts, departments, 事业单位."""
    units = [PORTAL]
    for key, unit, short in DISTRICTS:
        suffix = (
            "管理委员会网站"
            if unit.endswith("区") and unit.startswith(CITY_SHORT)
            else "人民政府门户网站"
        )
        units.append(UnitSpec(key, unit, f"{unit}{suffix}", "门户网站", short))
    units += [UnitSpec(k, u, n, "部门网站", s) for k, u, n, s in DEPARTMENTS]
    units += [UnitSpec(k, u, n, "事业单位网站", s) for k, u, n, s in INSTITUTIONS]
    return units


# Second 微信公众号 accounts of departments and districts: (unit key, account name).
EXTRA_WECHAT: tuple[tuple[str, str], ...] = (
    ("gaj", "示范公安交警"),
    ("rsj", "示范就业服务"),
    ("wjw", "示范健康教育"),
    ("scjgj", "示范消费维权"),
    ("spj", "示范一网通办"),
    ("jyj", "示范招考"),
    ("jtj", "示范出行"),
    ("mzj", "示范养老服务"),
    ("ybj", "示范医保服务"),
    ("zjj", "示范公积金政策"),
    ("sthjj", "示范环保宣教"),
)

# Departments that also run a 微博 account (12) and a 抖音号 (4).
WEIBO_DEPARTMENTS = (
    "fgw",
    "jyj",
    "gaj",
    "rsj",
    "jtj",
    "wlj",
    "wjw",
    "yjj",
    "scjgj",
    "lyj",
    "cgj",
    "sfj",
)
DOUYIN_DEPARTMENTS = ("gaj", "wlj", "scjgj", "yjj")

NEWS_TOPICS = (
    "召开专题工作会议",
    "开展安全生产大检查",
    "推进优化营商环境工作",
    "开展政策宣讲进社区活动",
    "部署防汛抗旱工作",
    "开展乡村振兴调研",
    "召开党风廉政建设工作会议",
    "开展志愿服务活动",
    "推进重点项目建设",
    "举办业务培训班",
    "开展“我为群众办实事”实践活动",
    "召开半年工作总结会",
    "开展民生实事督查",
    "推进数字政府建设",
    "开展文明城市创建工作",
    "开展法治宣传教育",
)
NOTICE_TOPICS = (
    "关于开展{y}年度统计调查工作的通知",
    "关于做好国庆节期间值班工作的通知",
    "关于公布{y}年第二批工作名单的公告",
    "关于举办业务知识培训的通知",
    "关于开展服务对象满意度调查的公告",
    "关于调整办公地点的公告",
    "关于公开招聘工作人员的公告",
    "关于开展年度考核工作的通知",
)
POLICY_TOPICS = (
    "{y}年工作要点",
    "{y}年政务公开工作方案",
    "{y}年安全生产工作方案",
    "{y}年民生实事工作方案",
    "{y}年普法工作计划",
    "{y}年重点工作任务分解方案",
)
SURVEY_TOPICS = (
    "关于征集{y}年民生实事项目的公告",
    "关于公开征求意见的公告",
    "网上问卷调查：政务服务满意度",
    "关于征集工作意见建议的公告",
    "关于征集优化营商环境意见建议的通知",
)
CONSULT_TOPICS = (
    "关于办理业务所需材料的咨询",
    "关于办事地点和时间的咨询",
    "关于补贴申领条件的咨询",
    "关于政策适用范围的咨询",
    "关于办理进度的咨询",
)
GUIDE_TOPICS = (
    "资格认定",
    "证明材料出具",
    "信息查询",
    "补贴申领",
    "备案登记",
    "投诉受理",
)
POST_TOPICS = (
    "一图读懂最新政策",
    "秋季出行提示",
    "便民服务指南",
    "今日要闻速览",
    "工作动态",
    "办事小贴士",
    "温馨提示",
    "政策问答",
    "身边的好故事",
    "民生实事进展",
)
