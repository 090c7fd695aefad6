from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from education.models import Article, Category, Phase
from education.rendering import render_markdown, with_served_states
from education.services import article_set_status
from portal.selectors import served_state_names


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    list_editable = ("order",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class StaleReviewFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("stale", "Older than 12 months (or never)"),
            ("current", "Within the last 12 months"),
        ]

    def queryset(self, request, queryset):
        stale = Article.objects.stale_on(timezone.localdate()).values("pk")
        if self.value() == "stale":
            return queryset.filter(pk__in=stale)
        if self.value() == "current":
            return queryset.exclude(pk__in=stale)
        return queryset


class ArticleAdminForm(forms.ModelForm):
    # Stored as "titration,stable"; edited as check boxes.
    phases = forms.MultipleChoiceField(
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Treatment phases this article suits, for suggested reading on the patient's dashboard.",
    )

    class Meta:
        model = Article
        fields = (
            *("title", "slug", "category", "order", "status", "summary", "body_markdown", "keywords"),
            *("reviewed_by", "reviewed_on", "phases", "related"),
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["phases"] = self.instance.phase_list

    def clean_phases(self) -> str:
        chosen = set(self.cleaned_data["phases"])
        return ",".join(value for value in Phase.values if value in chosen)


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    form = ArticleAdminForm
    list_display = ("title", "category", "status", "reviewed_by", "reviewed_on", "review_due")
    list_filter = ("status", "category", StaleReviewFilter)
    list_select_related = ("category", "reviewed_by")
    search_fields = ("title", "summary", "keywords", "body_markdown")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("related",)
    readonly_fields = ("preview", "created_at", "updated_at")
    actions = ("publish", "unpublish")
    fieldsets = (
        (None, {"fields": ("title", "slug", "category", "order", "status")}),
        ("Content", {"fields": ("summary", "body_markdown", "preview")}),
        ("Search", {"fields": ("keywords",)}),
        ("Medical review", {"fields": ("reviewed_by", "reviewed_on")}),
        ("Suggested reading", {"fields": ("phases", "related")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(boolean=True, description="Review due")
    def review_due(self, obj: Article) -> bool:
        return obj.is_stale(timezone.localdate())

    @admin.display(description="Preview")
    def preview(self, obj: Article) -> str:
        if obj is None or not obj.pk:
            return "Save the article to see a preview."
        # Safe to mark: render_markdown's output has been through the nh3 allow-list.
        body = mark_safe(render_markdown(with_served_states(obj.body_markdown, served_state_names())))  # noqa: S308  # nosec B308 B703
        return format_html('<div class="article-body article-preview">{}</div>', body)

    def _set_status(self, request, queryset, status: str, verb: str) -> None:
        changed = sum(article_set_status(article=article, status=status) for article in queryset)
        self.message_user(request, f"{changed} article(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.PUBLISHED, "published")

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Article.Status.DRAFT, "moved back to draft")
