"""The authors' desk: reviews in Markdown with live preview, films with their credits, people."""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, Q, When
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from markdownx.models import MarkdownxField
from markdownx.widgets import AdminMarkdownxWidget

from . import admin_outbox  # noqa: F401  (registers the outbox)
from .admin_editing import EditingAdmin
from .admin_revisions import RevisionsAdmin
from .forms import CheckedImagesForm, ReviewForm
from .models import AuthorProfile, Credit, Film, Franchise, Genre, Person, Review, ReviewAspect, display_name


def can_edit_any(user) -> bool:
    return user.has_perm("reviews.edit_any_review")


class ReviewAspectInline(admin.TabularInline):
    model = ReviewAspect
    extra = 0
    fields = ["name", "score", "order"]
    verbose_name = "scorecard line"
    verbose_name_plural = "Scorecard (optional): a score per aspect"


class DeletesOneByOne:
    """The list's "Delete selected" calls each object's delete(), which tells the pages it changes
    (a bulk delete would skip it and leave cached pages showing what is gone)."""

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                obj.delete()


def bulk_action(description: str, act, *args):
    """An admin action (for those who may change the rows) that hands the selected rows to `act`:
    `act(modeladmin, request, queryset, *args)`, a method of the admin defined above the action."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        act(modeladmin, request, queryset, *args)

    return action


@admin.register(Review)
class ReviewAdmin(DeletesOneByOne, EditingAdmin, RevisionsAdmin):
    form = ReviewForm
    formfield_overrides = {MarkdownxField: {"widget": AdminMarkdownxWidget}}
    # Five columns fit at 1280 px beside the menu and the filters (the publish date is in the status).
    list_display = ["title", "film_label", "author_name", "status_label", "rating"]
    list_filter = ["status", "film_to_check", "comments_open", ("author", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["film", "author"]
    search_fields = ["title", "standfirst", "film__title"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["film"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ReviewAspectInline]
    actions = ["publish", "unpublish", "film_checked"]
    fieldsets = [
        (None, {"fields": [("film", "film_to_check"), "title", "slug", "standfirst", "body"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_caption"]}),
        ("Verdict", {"fields": ["rating", "contains_spoilers"]}),
        ("Publishing", {"fields": ["author", "status", "published_at", "comments_open"]}),
    ]

    class Media:
        # The preview is set as the public article; the rest is the editor, its history and its safety net.
        css = {"all": ["css/article.css", "css/editor.css", "css/revisions.css", "css/review-safety.css"]}
        js = ["js/editor.js", "js/review-safety.js"]

    @admin.display(description="Film", ordering="film__title")
    def film_label(self, review):
        label = str(review.film) if review.film else "No film (an article)"
        return format_html("{} <strong>· to check</strong>", label) if review.film_to_check else label

    @admin.display(description="Author", ordering="author__last_name")
    def author_name(self, review):
        """ "Ava Marlowe", not the login "ava"."""
        return display_name(review.author)

    @admin.display(description="Status", ordering="published_at")
    def status_label(self, review):
        if review.is_public:
            return format_html("Published {}", timezone.localtime(review.published_at).strftime("%d %b %Y"))
        if review.status == Review.Status.DRAFT:
            return "Draft"
        return format_html("Scheduled for {}", timezone.localtime(review.published_at).strftime("%d %b %Y %H:%M"))

    # --- Who may see and change what: authors their own reviews, editors all of them ---

    def get_queryset(self, request):
        reviews = super().get_queryset(request)
        return reviews if can_edit_any(request.user) else reviews.filter(author=request.user)

    def _owns(self, request, review) -> bool:
        return review is None or review.author_id == request.user.pk or can_edit_any(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if can_edit_any(request.user) else ["author"]

    def get_fieldsets(self, request, obj=None):
        if obj is None and not can_edit_any(request.user):
            # A new review by an author is theirs; no need to show an empty read-only author.
            return [(name, {"fields": [f for f in opts["fields"] if f != "author"]}) for name, opts in self.fieldsets]
        return self.fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """Django shows a date and time as two boxes under one label that names neither (the label cannot point
        at two inputs): each box gets a name of its own, "Publish date: date" and "Publish date: time"."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(formfield.widget, AdminSplitDateTime):
            for box, part in zip(formfield.widget.widgets, ["date", "time"], strict=True):
                box.attrs["aria-label"] = f"{capfirst(formfield.label)}: {part}"
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(Q(is_superuser=True) | Q(groups__name__in=["Authors", "Editors"]))
                .distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change and not can_edit_any(request.user):
            obj.author = request.user
        if "film" in form.changed_data:
            obj.film_to_check = False  # a person chose it
        super().save_model(request, obj, form, change)

    def _move_selected(self, request, queryset, status, done: str):
        def move():
            count = queryset.move_to(status, by=request.user)
            self.message_user(request, f"{count} review(s) {done}.", messages.SUCCESS)

        self.act_unless_changed(request, queryset, done, move)

    publish = bulk_action("Publish the selected reviews", _move_selected, Review.Status.PUBLISHED, "published")
    unpublish = bulk_action(
        "Move the selected reviews back to draft", _move_selected, Review.Status.DRAFT, "moved to draft"
    )

    @admin.action(description="Mark the film of the selected reviews as checked", permissions=["change"])
    def film_checked(self, request, queryset):
        count = queryset.filter(film_to_check=True).update(film_to_check=False)
        self.message_user(request, f"{count} review(s) no longer marked “film to check”.", messages.SUCCESS)


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 1
    fields = ["person", "job", "character", "billing"]
    autocomplete_fields = ["person"]


@admin.register(Film)
class FilmAdmin(admin.ModelAdmin):
    form = CheckedImagesForm
    list_display = ["title", "release_year", "franchise", "runtime"]
    list_filter = [("release_year", admin.EmptyFieldListFilter), "genres", "franchise"]
    search_fields = ["title", "credits__person__name"]
    autocomplete_fields = ["franchise"]
    filter_horizontal = ["genres"]
    inlines = [CreditInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "release_year", "release_date", "runtime", "synopsis"]}),
        ("Poster", {"fields": ["poster", "poster_alt"]}),
        ("Classification", {"fields": ["genres", "franchise"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Titles first, as the review's film picker selects the top result on Enter: titles starting with
        the words typed, then titles containing them, then films found by a person's name."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if term := search_term.strip():
            rank = Case(When(title__istartswith=term, then=0), When(title__icontains=term, then=1), default=2)
            then = queryset.query.order_by or Film._meta.ordering
            queryset = queryset.annotate(title_rank=rank).order_by("title_rank", *then)
        return queryset, may_have_duplicates


@admin.register(Person)
class PersonAdmin(DeletesOneByOne, admin.ModelAdmin):
    form = CheckedImagesForm
    list_display = ["name", "credit_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(credit_count=Count("credits")).order_by("name")

    @admin.display(description="Credits", ordering="credit_count")
    def credit_count(self, person):
        return person.credit_count


@admin.register(Genre, Franchise)
class FilmGroupAdmin(DeletesOneByOne, admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(AuthorProfile)
class AuthorProfileAdmin(DeletesOneByOne, admin.ModelAdmin):
    """Each author keeps their own page (bio and photo); editors keep everyone's."""

    form = CheckedImagesForm
    list_display = ["name", "slug"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    fields = ["user", "slug", "bio", "photo", "photo_alt"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        return queryset if can_edit_any(request.user) else queryset.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        return [] if can_edit_any(request.user) else ["user"]

    def has_add_permission(self, request):
        return can_edit_any(request.user) and super().has_add_permission(request)


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(auth_admin.UserAdmin):
    # Records of what happened, not settings: the form showed them to the second and saved them back truncated.
    readonly_fields = ["last_login", "date_joined"]
