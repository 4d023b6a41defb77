from __future__ import annotations

from django.urls import path

from actionplan import calendar_feed, views

urlpatterns = [
    path("", views.plan, name="plan"),
    path("steps/<int:step_id>/edit/", views.step_edit, name="step_edit"),
    path(
        "steps/<int:step_id>/follow-go-live/",
        views.step_follow_go_live,
        name="step_follow_go_live",
    ),
    path("steps/<int:step_id>/tasks/add/", views.task_add, name="task_add"),
    path("tasks/<int:task_id>/toggle/", views.task_toggle, name="task_toggle"),
    path("tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:task_id>/move/", views.task_move, name="task_move"),
    path("quick-wins/<int:role_id>/toggle/", views.quick_win_toggle, name="quick_win_toggle"),
    path("calendar/issue/", calendar_feed.calendar_feed_issue, name="calendar_feed_issue"),
    path("calendar/reissue/", calendar_feed.calendar_feed_reissue, name="calendar_feed_reissue"),
    path("calendar/revoke/", calendar_feed.calendar_feed_revoke, name="calendar_feed_revoke"),
]
