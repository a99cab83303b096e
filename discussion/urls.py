from django.urls import path

from .views import comments, moderation, topics

app_name = "discussion"
urlpatterns = [
    # commenting on a meeting or an insight (discussion/views/comments.py)
    path("notes/<slug:slug>/comments/", comments.post_comment, {"kind": "meeting"}, name="meeting_comment"),
    path("insights/<slug:slug>/comments/", comments.post_comment, {"kind": "insight"}, name="insight_comment"),
    path("comments/<int:pk>/", comments.show_comment, name="comment"),
    path("comments/<int:pk>/edit/", comments.edit_comment, name="comment_edit"),
    path("comments/<int:pk>/delete/", comments.delete_comment, name="comment_delete"),
    path("comments/<int:pk>/flag/", comments.flag_comment, name="comment_flag"),
    # moderators (discussion/views/moderation.py)
    path("comments/<int:pk>/hide/", moderation.hide_comment, name="comment_hide"),
    path("comments/<int:pk>/restore/", moderation.restore_comment, name="comment_restore"),
    path("comments/<int:pk>/keep/", moderation.keep_comment, name="comment_keep"),
    path("comments/moderation/", moderation.moderation, name="moderation"),
    # topics members add (discussion/views/topics.py)
    path("notes/<slug:slug>/topics/", topics.add_topics, {"kind": "meeting"}, name="meeting_topics"),
    path("insights/<slug:slug>/topics/", topics.add_topics, {"kind": "insight"}, name="insight_topics"),
    path(
        "notes/<slug:slug>/topics/<slug:tag_slug>/remove/",
        topics.remove_topic,
        {"kind": "meeting"},
        name="meeting_topic_remove",
    ),
    path(
        "insights/<slug:slug>/topics/<slug:tag_slug>/remove/",
        topics.remove_topic,
        {"kind": "insight"},
        name="insight_topic_remove",
    ),
]
