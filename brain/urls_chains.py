"""科创大脑 routes of the industry-chain navigation (产业链导航)."""

from django.urls import path

from brain.views import chains

urlpatterns = [
    path("chains/", chains.chain_list, name="brain_chains"),
    path("chains/<slug:code>/", chains.chain_detail, name="brain_chain"),
    path("chains/<slug:code>/<slug:node>/", chains.node_detail, name="brain_chain_node"),
]
