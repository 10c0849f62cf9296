from django.urls import path

from cultivation.views import enterprise, pools, spotchecks, subsidies

urlpatterns = [
    # An enterprise's own figures and self-assessment (the bureau may open any enterprise's).
    path("", enterprise.home, name="cultivation_home"),
    path("enterprises/<int:org>/", enterprise.enterprise, name="cultivation_enterprise"),
    path(
        "enterprises/<int:org>/years/new/", enterprise.year_create, name="cultivation_year_create"
    ),
    path(
        "enterprises/<int:org>/years/<int:year>/",
        enterprise.year_edit,
        name="cultivation_year_edit",
    ),
    path("enterprises/<int:org>/profile/", enterprise.profile_edit, name="cultivation_profile"),
    path("enterprises/<int:org>/history/", enterprise.history, name="cultivation_history"),
    path(
        "enterprises/<int:org>/assess/<str:ruleset>/",
        enterprise.assess,
        name="cultivation_assess",
    ),
    path("assessments/<int:pk>/", enterprise.assessment_detail, name="cultivation_assessment"),
    path("assessments/<int:pk>/pdf/", enterprise.assessment_pdf, name="cultivation_assessment_pdf"),
    path("import/", enterprise.figures_import, name="cultivation_import"),
    path("import/template/", enterprise.import_template, name="cultivation_import_template"),
    # The bureau's tier pools.
    path("pools/", pools.pool_list, name="cultivation_pools"),
    path("pools/admit/", pools.admit, name="cultivation_admit"),
    path("pools/scan/", pools.scan, name="cultivation_scan"),
    path("pools/stays/<int:pk>/", pools.stay_detail, name="cultivation_stay"),
    path("pools/stays/<int:pk>/exit/", pools.stay_exit, name="cultivation_stay_exit"),
    path("pools/enterprises/<int:org>/", pools.enterprise_history, name="cultivation_pool_history"),
    # 双随机 spot checks.
    path("spot-checks/", spotchecks.spot_check_list, name="cultivation_spot_checks"),
    path("spot-checks/new/", spotchecks.spot_check_create, name="cultivation_spot_check_create"),
    path("spot-checks/<int:pk>/", spotchecks.spot_check_detail, name="cultivation_spot_check"),
    # 研发投入后补助.
    path("subsidies/", subsidies.scheme_list, name="cultivation_subsidies"),
    path("subsidies/new/", subsidies.scheme_create, name="cultivation_subsidy_create"),
    path("subsidies/<int:pk>/", subsidies.scheme_detail, name="cultivation_subsidy"),
    path("subsidies/<int:pk>/edit/", subsidies.scheme_edit, name="cultivation_subsidy_edit"),
    path(
        "subsidies/<int:pk>/compute/", subsidies.scheme_compute, name="cultivation_subsidy_compute"
    ),
    path(
        "subsidies/<int:pk>/approve/", subsidies.scheme_approve, name="cultivation_subsidy_approve"
    ),
]
