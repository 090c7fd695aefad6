"""Editors work in the Django admin: list, filter by review age, preview, publish/unpublish."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from education.models import Article
from education.tests.factories import ArticleFactory
from portal.tests.factories import PhysicianFactory
from portal.tests.signin import sign_in

CHANGELIST = reverse("admin:education_article_changelist")


@pytest.mark.django_db
def test_admin_changelist_shows_articles_with_review_columns(client, admin_user):
    sign_in(client, admin_user)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Starting LDN and raising the dose" in body
    assert "Review due" in body


@pytest.mark.django_db
def test_admin_stale_filter_lists_only_reviews_older_than_a_year(client, admin_user):
    stale = ArticleFactory(title="Reviewed long ago", reviewed_on=dt.date(2020, 1, 1))
    never = ArticleFactory(title="Never reviewed", reviewed_on=None)
    sign_in(client, admin_user)

    listed = set(client.get(CHANGELIST, {"review": "stale"}).context["cl"].result_list)
    assert listed == {stale, never}

    current = set(client.get(CHANGELIST, {"review": "current"}).context["cl"].result_list)
    assert stale not in current and never not in current
    assert Article.objects.get(slug="side-effects") in current


@pytest.mark.django_db
def test_admin_change_form_previews_the_sanitized_body(client, admin_user):
    article = ArticleFactory(
        body_markdown="## Preview heading\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>"
    )
    sign_in(client, admin_user)
    response = client.get(reverse("admin:education_article_change", args=[article.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<div class="article-body article-preview"><h2>Preview heading</h2>' in body
    assert "alert('x')</script>" not in body.split("article-preview", 1)[1].split("</div>", 1)[0]
    assert "onerror" not in body.split("article-preview", 1)[1].split("</div>", 1)[0]


@pytest.mark.django_db
def test_admin_add_form_renders_and_saves_phases(client, admin_user):
    from education.models import Category

    sign_in(client, admin_user)
    assert client.get(reverse("admin:education_article_add")).status_code == 200
    response = client.post(
        reverse("admin:education_article_add"),
        {
            "title": "New article",
            "slug": "new-article",
            "category": Category.objects.get(slug="faq").pk,
            "order": 0,
            "status": "draft",
            "summary": "Short.",
            "body_markdown": "Body.",
            "phases": ["stable", "titration"],
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get(slug="new-article").phases == "titration,stable"


@pytest.mark.django_db
def test_admin_actions_publish_and_unpublish_with_history(client, admin_user):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    sign_in(client, admin_user)
    client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.history.first().history_user == admin_user

    client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


@pytest.mark.django_db
def test_physician_with_change_permission_can_edit_articles(client):
    physician = PhysicianFactory(is_staff=True)
    physician.user_permissions.add(
        Permission.objects.get(codename="change_article"), Permission.objects.get(codename="view_article")
    )
    sign_in(client, physician)
    article = Article.objects.get(slug="side-effects")
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:education_article_change", args=[article.pk])).status_code == 200


@pytest.mark.django_db
def test_physician_without_permission_cannot_open_the_article_admin(client):
    physician = PhysicianFactory(is_staff=True)
    sign_in(client, physician)
    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.django_db
def test_admin_history_of_an_article_renders(client, admin_user):
    article = Article.objects.get(slug="side-effects")
    article.title = "Side effects, revised"
    article.save()
    sign_in(client, admin_user)
    response = client.get(reverse("admin:education_article_history", args=[article.pk]))
    assert response.status_code == 200
    assert "Side effects, revised" in response.content.decode()


@pytest.mark.django_db
def test_admin_reviewer_choices_are_physicians_only(client, admin_user):
    physician = PhysicianFactory()
    sign_in(client, admin_user)
    form = client.get(reverse("admin:education_article_add")).context["adminform"].form
    reviewers = set(form.fields["reviewed_by"].queryset)
    assert physician in reviewers
    assert admin_user not in reviewers
