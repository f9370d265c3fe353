"""A realistic demo county for seed-demo: towns, villages, departments, schools, enterprises and
people with valid ID numbers and credit codes. Deterministic (fixed seed), so screenshots and
figures are the same on every machine."""

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from webapp.common.identifiers import credit_code_check_char, id_check_char
from webapp.extensions import db
from webapp.registry.models import Organization, OrgKind, Person

COUNTY = "云溪县"
REGION_CODES = ("331181", "331102", "331121", "331122")  # ID numbers of people born in the area

TOWNS = [
    ("东城街道", OrgKind.STREET), ("西城街道", OrgKind.STREET), ("城关镇", OrgKind.TOWN), ("青石镇", OrgKind.TOWN),
    ("白沙镇", OrgKind.TOWN), ("柳河镇", OrgKind.TOWN), ("桃源乡", OrgKind.TOWN), ("石门镇", OrgKind.TOWN),
    ("龙泉镇", OrgKind.TOWN), ("双溪乡", OrgKind.TOWN), ("黄岭镇", OrgKind.TOWN), ("清水镇", OrgKind.TOWN),
]
DEPARTMENTS = [
    "应急管理局", "公安局", "消防救援大队", "教育局", "住房和城乡建设局", "交通运输局", "水利局", "自然资源和规划局",
    "卫生健康局", "市场监督管理局", "农业农村局", "文化和广电旅游体育局", "气象局", "经济商务科技局", "林业局",
]
PLACE_A = "上下东西南北前后大小新老高"
PLACE_B = ["坪", "湾", "桥", "岭", "溪", "塘", "坑", "庄", "山", "源", "口", "田", "垟", "岙", "坞"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文辉鹏飞燕玲红志宏斌波俊丹萍云海峰亮晨浩宇欣怡子涵梓轩"

# Enterprise names and their share of the county's enterprises, per industry.
INDUSTRY_WORDS = {
    "煤矿": (["煤矿"], 4), "非煤矿山": (["石料厂", "矿业有限公司", "采石场"], 12), "危险化学品": (["化工有限公司", "气体有限公司", "石化加油站"], 30),
    "烟花爆竹": (["烟花爆竹批发有限公司", "鞭炮厂"], 6), "金属冶炼": (["冶金有限公司", "铸造有限公司"], 10),
    "燃气": (["燃气有限公司", "液化气站"], 8), "工贸": (["机械制造有限公司", "纺织有限公司", "食品有限公司", "家具厂", "塑料制品有限公司", "建材有限公司"], 80),
    "建筑施工": (["建设工程有限公司", "建筑有限公司"], 30), "道路运输": (["运输有限公司", "客运有限公司"], 20),
    "水上运输": (["航运有限公司"], 4), "电力": (["水电站", "供电所"], 8), "仓储物流": (["物流有限公司", "仓储有限公司"], 15),
    "人员密集场所": (["购物中心", "大酒店", "超市", "影城"], 35), "旅游景区": (["景区管理有限公司", "农家乐"], 12),
    "医药制造": (["制药有限公司"], 6), "农林牧渔": (["农业开发有限公司", "养殖场", "茶叶专业合作社"], 30), "其他": (["商贸有限公司"], 10),
}
NAME_WORDS = "恒安泰丰盛华宏远鑫源永昌金瑞天成博达新兴隆康利民福祥众诚信和顺嘉"
POSTS = {
    OrgKind.ENTERPRISE: ["主要负责人", "安全管理员", "安全总监", "电工", "焊工", "叉车司机", "仓库管理员", "班组长", "操作工"],
    OrgKind.VILLAGE: ["村党支部书记", "村委会主任", "网格员", "应急信息员"],
    OrgKind.COMMUNITY: ["社区党委书记", "社区主任", "网格员", "应急信息员"],
    OrgKind.SCHOOL: ["校长", "安全办主任", "教师", "校医"],
    OrgKind.DEPARTMENT: ["科长", "科员", "安全监管员"],
}


def seed(rng: random.Random) -> bool:
    """Create the county unless it is there; True if it was created."""
    if db.session.scalar(select(Organization.id).where(Organization.name == COUNTY)):
        return False
    county = Organization(name=COUNTY, kind=OrgKind.COUNTY.value, headcount=352000, address="云溪县人民路 1 号")
    db.session.add(county)
    db.session.flush()
    for name in DEPARTMENTS:
        db.session.add(Organization(name=COUNTY + name, kind=OrgKind.DEPARTMENT.value, parent_id=county.id,
                                    headcount=rng.randint(20, 180)))
    places: list[Organization] = []
    codes: set[str] = set()
    for index, (town_name, kind) in enumerate(TOWNS):
        town = Organization(name=town_name, kind=kind.value, parent_id=county.id, headcount=rng.randint(18000, 52000),
                            address=f"{COUNTY}{town_name}政府路 {rng.randint(1, 99)} 号")
        db.session.add(town)
        db.session.flush()
        town.town_id = town.id
        units = _villages(rng, town, kind, index)
        db.session.add_all(units)
        db.session.flush()
        places.extend([town, *units])
        db.session.add_all(_schools(rng, town, units))
        db.session.add_all(_enterprises(rng, town, units, codes, weight=3 if index < 4 else 1))
    db.session.flush()
    _people(rng)
    return True


def _villages(rng, town, kind, index) -> list[Organization]:
    count = 8 if kind is OrgKind.STREET else rng.randint(8, 11)
    names: set[str] = set()
    if index in (3, 6):
        names.add("新村")  # the same village name in two towns, as happens in real counties
    while len(names) < count:
        names.add(rng.choice(PLACE_A) + rng.choice(PLACE_B))
    out = []
    for i, base in enumerate(sorted(names)):
        community = kind is OrgKind.STREET or i < 2
        name = base if base == "新村" else base + ("社区" if community else "村")
        out.append(Organization(
            name=name, kind=(OrgKind.COMMUNITY if community else OrgKind.VILLAGE).value, parent_id=town.id,
            town_id=town.id, headcount=rng.randint(600, 4800), contact_name=_name(rng), contact_phone=_mobile(rng),
        ))
    return out


def _schools(rng, town, units) -> list[Organization]:
    short = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
    schools = [(f"{COUNTY}{short}中心小学", "小学"), (f"{COUNTY}{short}中学", "初中"), (f"{short}中心幼儿园", "幼儿园")]
    for unit in rng.sample(units, 2):
        schools.append((f"{unit.name.removesuffix('村').removesuffix('社区')}小学", "小学"))
    if town.name in ("城关镇", "东城街道"):
        schools += [(f"{COUNTY}第{'一二'[town.name == '东城街道']}高级中学", "高中"), (f"{COUNTY}{short}职业技术学校", "职业学校")]
    return [
        Organization(name=n, kind=OrgKind.SCHOOL.value, parent_id=town.id, town_id=town.id, school_level=level,
                     headcount=rng.randint(150, 2400), contact_name=_name(rng), contact_phone=_mobile(rng))
        for n, level in schools
    ]


def _enterprises(rng, town, units, codes, weight) -> list[Organization]:
    out, names = [], set()
    for industry, (words, share) in INDUSTRY_WORDS.items():
        for _ in range(max(0, round(share * weight * rng.uniform(0.6, 1.2) / 6))):
            name = town.name[:2] + rng.choice(NAME_WORDS) + rng.choice(NAME_WORDS) + rng.choice(words)
            if name in names:
                continue
            names.add(name)
            parent = rng.choice([town, *units])
            out.append(Organization(
                name=name, kind=OrgKind.ENTERPRISE.value, parent_id=parent.id, town_id=town.id, industry=industry,
                credit_code=_credit_code(rng, codes), scale=rng.choices(["大型", "中型", "小型", "微型"], [1, 4, 12, 8])[0],
                address=f"{town.name}{parent.name if parent is not town else ''}{rng.randint(1, 200)} 号",
                contact_name=_name(rng), contact_phone=_mobile(rng), headcount=rng.randint(8, 900),
            ))
    return out


def _people(rng) -> None:
    orgs = db.session.execute(select(Organization.id, Organization.kind).order_by(Organization.id)).all()
    rows, seen = [], set()
    for org_id, kind in orgs:
        posts = POSTS.get(OrgKind(kind))
        if not posts:
            continue
        count = {OrgKind.ENTERPRISE: rng.randint(5, 9), OrgKind.DEPARTMENT: 4}.get(OrgKind(kind), rng.randint(2, 4))
        for i in range(count):
            number = _id_number(rng, seen)
            rows.append({"name": _name(rng), "id_number": number, "phone": _mobile(rng), "organization_id": org_id,
                         "post": posts[0] if i == 0 else rng.choice(posts[1:])})
    db.session.execute(insert(Person), rows)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _mobile(rng) -> str:
    return rng.choice(["13", "15", "17", "18", "19"]) + str(rng.randint(0, 9)) + f"{rng.randint(0, 99999999):08d}"


def _id_number(rng, seen: set[str]) -> str:
    while True:
        birth = date(1962, 1, 1) + timedelta(days=rng.randint(0, 365 * 42))
        body = rng.choice(REGION_CODES) + birth.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
        number = body + id_check_char(body)
        if number not in seen:
            seen.add(number)
            return number


def _credit_code(rng, codes: set[str]) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        body = "91" + "331181" + "".join(rng.choice(chars) for _ in range(9))
        code = body + credit_code_check_char(body)
        if code not in codes:
            codes.add(code)
            return code
