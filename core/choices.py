from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高等院校")
    INSTITUTE = "institute", _("科研院所")
    HOSPITAL = "hospital", _("医疗机构")
    GOVERNMENT = "government", _("政府部门")
    SERVICE_AGENCY = "service_agency", _("科技服务机构")
    INCUBATOR = "incubator", _("孵化载体")
    NEW_RD = "new_rd", _("新型研发机构")
    OTHER = "other", _("其他")


class OrgSize(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Role(models.TextChoices):
    PUBLIC = "public", _("公众")
    ENTERPRISE = "enterprise", _("企业用户")
    INSTITUTE = "institute", _("高校院所用户")
    EXPERT = "expert", _("专家")
    BROKER = "broker", _("技术经纪人")
    DISTRICT_ADMIN = "district_admin", _("区县管理员")
    CITY_ADMIN = "city_admin", _("市科技局管理员")
    LEADER = "leader", _("领导")


class RegionKind(models.TextChoices):
    CITY = "city", _("地级市")
    DISTRICT = "district", _("市辖区")
    COUNTY = "county", _("县")
    COUNTY_CITY = "county_city", _("县级市")
    DEV_ZONE = "dev_zone", _("开发区")


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    TRANSITION = "transition", _("状态变更")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED = "locked", _("账号锁定")
    LOGOUT = "logout", _("退出")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
